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
import { replayAsAzure } from '../durable/dtfx';
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
    format: 'devhost-durable-history/1', orchestrator: found.record.name, instanceId, input: JSON.parse(found.record.input) as unknown,
    hiddenIds: found.record.hiddenIds, history: found.history,
  };
  writeFileSync(file, JSON.stringify(recorded, null, 1));
  return recorded;
}

export class NonDeterminismError extends Error {
  override name = 'NonDeterminismError';
}

/**
 * Replays `file` with the current code of `orchestratorName` the way Azure does (the SDK, then the
 * extension's shim on DTFx); returns what the code produced.
 */
export async function replayHistory(registrations: Map<string, Registration>, file: string, orchestratorName: string): Promise<{ isDone: boolean; output: unknown; error?: string }> {
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedHistory;
  if (recorded.format !== 'devhost-durable-history/1' || !Array.isArray(recorded.history)) throw new Error(`replayHistory: ${file} is not a recorded history (format 'devhost-durable-history/1')`);
  const reg = registrations.get(orchestratorName);
  if (!reg) throw new Error(`replayHistory: no orchestrator named '${orchestratorName}' is registered`);
  const history = recorded.history.map((e) => ({ ...e, IsPlayed: true }));
  const result = await invokeOrchestrator(reg, { instanceId: recorded.instanceId, input: recorded.input, history });
  const fail = (message: string): never => {
    throw new NonDeterminismError(`${orchestratorName} (recorded instance '${recorded.instanceId}'): ${message}`);
  };
  const verdict = replayAsAzure({ orchestrator: orchestratorName, history, state: result.state, thrown: result.ok ? undefined : result.message });
  if (verdict.kind === 'nonDeterministic') fail(verdict.message);
  if (verdict.kind === 'unmodelled') {
    // Outside the model, the SDK's own sequence numbering is the only check there is.
    const record = {
      instanceId: recorded.instanceId, name: orchestratorName, executionId: 'replay', runtimeStatus: 'Running' as const, input: 'null',
      createdTime: '', lastUpdatedTime: '', hiddenIds: recorded.hiddenIds, retries: {}, canceledTimers: [],
    };
    const work = applyActions({
      record, index: indexHistory(history), actions: flattenActions(result.state?.actions ?? []), allocating: [], threw: !result.ok, now: new Date(), seq: () => 0,
    });
    if (work.failure?.startsWith('Non-Deterministic')) fail(work.failure);
  }
  return result.ok ? { isDone: result.state.isDone, output: result.state.output } : { isDone: false, output: undefined, error: result.message };
}
