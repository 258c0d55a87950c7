/**
 * Recorded histories: save one instance's history to a file and replay it against today's
 * orchestrator code, failing on a non-deterministic change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Registration } from '../functions/types';
import { flattenActions } from '../durable/actions';
import { applyActions } from '../durable/applyActions';
import { indexHistory, type HistoryEvent } from '../durable/history';
import type { DurableEngine } from '../durable/index';
import { replayAsAzure, type AzureVerdict } from '../durable/dtfx';
import { invokeOrchestrator } from '../durable/invokeOrchestrator';

export interface RecordedHistory {
  format: 'devhost-durable-history/1';
  orchestrator: string;
  instanceId: string;
  input: unknown;
  hiddenIds: number[];
  history: HistoryEvent[];
}

export async function recordHistory(engine: DurableEngine, instanceId: string, file: string): Promise<RecordedHistory> {
  const found = await engine.inspect(instanceId);
  if (!found) throw new Error(`recordHistory: no instance with ID '${instanceId}'`);
  const recorded: RecordedHistory = {
    format: 'devhost-durable-history/1',
    orchestrator: found.record.name,
    instanceId,
    input: JSON.parse(found.record.input) as unknown,
    hiddenIds: found.record.hiddenIds,
    history: found.history,
  };
  writeFileSync(file, JSON.stringify(recorded, null, 1));
  return recorded;
}

export class NonDeterminismError extends Error {
  override name = 'NonDeterminismError';
}

export interface ReplayResult {
  /** What the SDK returned: done (returned or continued as new), its output, its error. */
  isDone: boolean;
  output: unknown;
  error?: string;
  /**
   * What Azure decides after this history (the extension's shim on DTFx): still running (also when
   * the code is done but a task it started is still open), completed, failed, or continued as new
   * with `input`. Undefined for code that uses what the model does not cover (entities, callHttp).
   */
  azure?: {
    status: 'Running' | 'Completed' | 'Failed' | 'ContinuedAsNew';
    input?: unknown;
    /** While Running: what DTFx schedules after this history, with its sequence numbers. */
    scheduled?: { id: number; kind: 'activity' | 'timer' | 'subOrchestration'; name?: string }[];
  };
}

/**
 * Replays `file` with the current code of `orchestratorName` the way Azure does (the SDK, then the
 * extension's shim on DTFx); returns what the code produced and what Azure makes of it.
 */
export async function replayHistory(
  registrations: Map<string, Registration>,
  file: string,
  orchestratorName: string,
): Promise<ReplayResult> {
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedHistory;
  if (recorded.format !== 'devhost-durable-history/1' || !Array.isArray(recorded.history))
    throw new Error(`replayHistory: ${file} is not a recorded history (format 'devhost-durable-history/1')`);
  const reg = registrations.get(orchestratorName);
  if (!reg) throw new Error(`replayHistory: no orchestrator named '${orchestratorName}' is registered`);
  const history = recorded.history.map((e) => ({ ...e, IsPlayed: true }));
  const result = await invokeOrchestrator(reg, { instanceId: recorded.instanceId, input: recorded.input, history });
  const fail = (message: string): never => {
    throw new NonDeterminismError(`${orchestratorName} (recorded instance '${recorded.instanceId}'): ${message}`);
  };
  const verdict = replayAsAzure({
    orchestrator: orchestratorName,
    history,
    state: result.state,
    thrown: result.ok ? undefined : result.message,
  });
  if (verdict.kind === 'nonDeterministic') fail(verdict.message);
  if (verdict.kind === 'unmodelled') {
    // Outside the model, the SDK's own sequence numbering is the only check there is.
    const record = {
      instanceId: recorded.instanceId,
      name: orchestratorName,
      executionId: 'replay',
      runtimeStatus: 'Running' as const,
      input: 'null',
      createdTime: '',
      lastUpdatedTime: '',
      hiddenIds: recorded.hiddenIds,
      retries: {},
      canceledTimers: [],
    };
    const work = applyActions({
      record,
      index: indexHistory(history),
      actions: flattenActions(result.state?.actions ?? []),
      allocating: [],
      threw: !result.ok,
      now: new Date(),
      seq: () => 0,
    });
    if (work.failure?.startsWith('Non-Deterministic')) fail(work.failure);
  }
  const status = AZURE_STATUS[verdict.kind];
  const azure = status && {
    status,
    ...(verdict.kind === 'continuedAsNew' ? { input: verdict.input } : {}),
    ...(verdict.kind === 'running'
      ? {
          scheduled: verdict.actions.map((a) => ({
            id: a.id,
            kind: a.kind === 'task' ? ('activity' as const) : a.kind,
            ...(a.kind === 'timer' ? {} : { name: a.name }),
          })),
        }
      : {}),
  };
  const sdk = result.ok
    ? { isDone: result.state.isDone, output: result.state.output }
    : { isDone: false, output: undefined, error: result.message };
  return { ...sdk, azure };
}

const AZURE_STATUS: Partial<Record<AzureVerdict['kind'], NonNullable<ReplayResult['azure']>['status']>> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  continuedAsNew: 'ContinuedAsNew',
};
