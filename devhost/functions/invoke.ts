/**
 * Invokes a captured function the way the Node worker does (docs/DURABLE_PROTOCOL.md §3, path A):
 * build a CoreInvocationContext, ask the app's programming model for an invocation model, and run
 * getArguments → preInvocation hooks → invokeFunction → postInvocation hooks → getResponse.
 */
import { randomUUID } from 'node:crypto';
import { coreState } from './coreStandIn';
import type { Registration, RpcTypedData } from './types';

export interface InvokeInput {
  /** Value for the trigger binding. */
  trigger: RpcTypedData;
  /** Values for other input bindings, by binding type (e.g. `durableClient`). */
  extraInputsByType?: Record<string, RpcTypedData>;
  triggerMetadata?: Record<string, RpcTypedData>;
  onLog?: (level: string, category: string, message: string) => void;
}

export function triggerBindingOf(reg: Registration): [string, Registration['metadata']['bindings'][string]] {
  const entry = Object.entries(reg.metadata.bindings).find(([, b]) => /trigger$/i.test(b.type));
  if (!entry) throw new Error(`Function "${reg.metadata.name}" has no trigger binding.`);
  return entry;
}

/** Runs the function and returns the worker's invocation response (returnValue still typed). */
export async function invokeRegistration(
  reg: Registration,
  input: InvokeInput,
): Promise<{ returnValue: unknown; outputData: { name: string; data: unknown }[] }> {
  const state = coreState();
  const pm = state.programmingModel;
  if (!pm) throw new Error('No programming model was registered: did the app import @azure/functions?');
  const invocationId = randomUUID();
  const [triggerName] = triggerBindingOf(reg);
  const inputData: { name: string; data: RpcTypedData }[] = [{ name: triggerName, data: input.trigger }];
  for (const [name, binding] of Object.entries(reg.metadata.bindings)) {
    if (binding.direction !== 'in' || name === triggerName) continue;
    const data = input.extraInputsByType?.[binding.type];
    if (data !== undefined) inputData.push({ name, data });
  }
  const coreCtx = {
    invocationId,
    request: { invocationId, functionId: reg.metadata.name, inputData, triggerMetadata: input.triggerMetadata ?? {} },
    metadata: reg.metadata,
    state: undefined as string | undefined,
    log:
      input.onLog ??
      ((level: string, category: string, message: string) => defaultLog(reg.metadata.name, level, category, message)),
  };
  const model = pm.getInvocationModel(coreCtx);
  const { context, inputs } = await model.getArguments();
  const hookData: Record<string, unknown> = {};
  const appHookData = appHookDataStore;
  for (const hook of state.hooks.get('preInvocation') ?? []) {
    const hookCtx = { invocationContext: context, inputs, functionCallback: reg.handler, hookData, appHookData };
    await hook(hookCtx);
    reg = { ...reg, handler: hookCtx.functionCallback };
  }
  coreCtx.state = 'invocation';
  let result: unknown;
  let error: unknown;
  try {
    result = await model.invokeFunction(context, inputs, reg.handler);
  } catch (e) {
    error = e;
  }
  coreCtx.state = 'postInvocationHooks';
  for (const hook of state.hooks.get('postInvocation') ?? []) {
    const hookCtx = { invocationContext: context, inputs, result, error, hookData, appHookData };
    await hook(hookCtx);
    result = hookCtx.result;
    error = hookCtx.error;
  }
  coreCtx.state = undefined;
  if (error !== undefined) throw error;
  const response = await model.getResponse(context, result);
  return { returnValue: response.returnValue, outputData: response.outputData ?? [] };
}

const appHookDataStore: Record<string, unknown> = {};

/** Decodes an RpcTypedData return value into a JS value. */
export function fromTypedData(data: unknown): unknown {
  if (data === undefined || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if ('json' in d && typeof d.json === 'string') return JSON.parse(d.json);
  if ('string' in d) return d.string;
  if ('int' in d) return Number(d.int);
  if ('double' in d) return Number(d.double);
  if ('bytes' in d) return Buffer.from(d.bytes as Uint8Array);
  return d;
}

/** Where the app's own log lines go when the caller gave no onLog; `npm start` sends them to a file. */
export type FunctionLogSink = (fn: string, level: string, category: string, message: string) => void;
let sink: FunctionLogSink | undefined;
export function setFunctionLogSink(next: FunctionLogSink | undefined): void {
  sink = next;
}

function defaultLog(fn: string, level: string, category: string, message: string): void {
  if (sink) return sink(fn, level, category, message);
  const line = `[${new Date().toISOString()}] ${fn}: ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (category === 'user' && process.env.DEVHOST_QUIET !== '1') console.log(line);
}
