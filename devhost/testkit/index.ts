/**
 * Test kit: run an app's orchestrations from mocha on the in-memory store with a virtual clock,
 * so a workflow that waits for days finishes in milliseconds and deterministically.
 *
 *   const host = await createTestHost({ app: 'dist/app.js', activities: { Charge: [{ throw: 'declined' }, { return: 'ok' }] } });
 *   const r = await host.run('Checkout', { cart: 1 }, { events: [{ at: 60_000, name: 'Approval', data: true }] });
 *   await host.close();
 */
import { randomUUID } from 'node:crypto';
import type { InstanceStatus, RuntimeStatus } from '../durable/api';
import {
  createDurableEngine,
  createMemoryStore,
  virtualClock,
  type DurableEngine,
  type HistoryEvent,
  type VirtualClock,
} from '../durable/index';
import type { Registration } from '../functions/types';
import { loadAppOnce, type AppSource } from './loadApp';
import { recordHistory, replayHistory, type RecordedHistory, type ReplayResult } from './replay';

export { NonDeterminismError, type RecordedHistory, type ReplayResult } from './replay';
export { loadAppOnce, type AppSource } from './loadApp';

export type ScriptedOutcome = { return: unknown } | { throw: string };
/** A function replacing the activity, or outcomes used in order (the last one repeats). */
export type ScriptedActivity = ((input: unknown) => unknown) | ScriptedOutcome[];

export interface TestHostOptions {
  app: AppSource;
  activities?: Record<string, ScriptedActivity>;
  /** Virtual start time (default 2024-01-01T00:00:00Z). */
  start?: Date;
  maxConcurrentActivities?: number;
}

export interface ActivityCall {
  name: string;
  input: unknown;
  /** Virtual time the activity ran at. */
  at: Date;
}

export interface RunOptions {
  instanceId?: string;
  /** Events raised at `at`: ms after the start of the run, or an absolute (virtual) Date. */
  events?: { at: number | Date; name: string; data?: unknown }[];
}

export interface RunResult {
  instanceId: string;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  /** Raw DTFx history of the last execution (PascalCase, numeric EventType). */
  history: HistoryEvent[];
  activityCalls: ActivityCall[];
}

export interface TestHost {
  engine: DurableEngine;
  clock: VirtualClock;
  registrations: Map<string, Registration>;
  /** Starts `name` and runs until nothing more can happen (completion, or waiting on something that never comes). */
  run(name: string, input?: unknown, options?: RunOptions): Promise<RunResult>;
  recordHistory(instanceId: string, file: string): Promise<RecordedHistory>;
  /** Throws NonDeterminismError when today's code no longer matches the recorded history. */
  replayHistory(file: string, orchestratorName: string): Promise<ReplayResult>;
  status(instanceId: string): Promise<InstanceStatus | undefined>;
  close(): Promise<void>;
}

function scripted(script: ScriptedActivity): (input: unknown) => Promise<unknown> {
  if (typeof script === 'function') return async (input) => script(input);
  const last = script.at(-1);
  if (last === undefined) throw new Error('activities: a scripted outcome list must not be empty');
  let call = 0;
  return async () => {
    const outcome = script[call++] ?? last;
    if ('throw' in outcome) throw new Error(outcome.throw);
    return outcome.return;
  };
}

export async function createTestHost(options: TestHostOptions): Promise<TestHost> {
  const registrations = await loadAppOnce(options.app);
  const clock = virtualClock(options.start);
  const fakes = new Map(Object.entries(options.activities ?? {}).map(([name, s]) => [name.toLowerCase(), scripted(s)]));
  const calls = new Map<string, ActivityCall[]>();
  const engine = createDurableEngine({
    registrations,
    store: createMemoryStore(),
    clock,
    taskHubName: 'TestHub',
    maxConcurrentActivities: options.maxConcurrentActivities,
    activityOverride: (name, input, runReal, call) => {
      const list = calls.get(call.instanceId) ?? [];
      list.push({ name, input, at: clock.now() });
      calls.set(call.instanceId, list);
      const fake = fakes.get(name.toLowerCase());
      return fake ? fake(input) : runReal();
    },
  });
  await engine.start();

  return {
    engine,
    clock,
    registrations,
    async run(name, input, runOptions = {}) {
      const instanceId = runOptions.instanceId ?? randomUUID();
      const startedAt = clock.now().getTime();
      await engine.startNew(name, { instanceId, input });
      for (const e of runOptions.events ?? []) {
        const at = typeof e.at === 'number' ? new Date(startedAt + e.at) : e.at;
        await engine.scheduleEvent(instanceId, e.name, e.data, at);
      }
      await engine.whenIdle();
      const found = await engine.inspect(instanceId);
      if (!found) throw new Error(`instance '${instanceId}' vanished`);
      const status = await engine.getStatus(instanceId);
      return {
        instanceId,
        status: found.record.runtimeStatus,
        output: status?.output,
        customStatus: status?.customStatus,
        history: found.history,
        activityCalls: calls.get(instanceId) ?? [],
      };
    },
    recordHistory: (instanceId, file) => recordHistory(engine, instanceId, file),
    replayHistory: (file, orchestratorName) => replayHistory(registrations, file, orchestratorName),
    status: (instanceId) => engine.getStatus(instanceId),
    close: () => engine.stop(),
  };
}
