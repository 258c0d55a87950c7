/**
 * One call of the orchestrator function through the worker's path (docs/DURABLE_PROTOCOL.md §3 path A,
 * §4 payload, §6.3 failures).
 */
import { fromTypedData, invokeRegistration } from '../functions/invoke';
import type { Registration } from '../functions/types';
import { stateFromThrown, type OrchestratorState } from './actions';
import type { HistoryEvent } from './history';

export interface OrchestratorCall {
  instanceId: string;
  parentInstanceId?: string;
  /** Parsed input value. */
  input: unknown;
  /** Played events, then this episode's new ones (IsPlayed false). */
  history: readonly HistoryEvent[];
}

export type OrchestratorResult =
  | { ok: true; state: OrchestratorState }
  | { ok: false; state?: OrchestratorState; message: string };

export async function invokeOrchestrator(reg: Registration, call: OrchestratorCall, onLog?: (level: string, category: string, message: string) => void): Promise<OrchestratorResult> {
  const payload = {
    history: call.history,
    input: call.input,
    instanceId: call.instanceId,
    isReplaying: false,
    parentInstanceId: call.parentInstanceId ?? null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    // So large the SDK never splits a timer into hidden sub-timers (§8.5).
    maximumShortTimerDuration: '3650.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  try {
    const { returnValue } = await invokeRegistration(reg, { trigger: { string: JSON.stringify(payload) }, onLog });
    const state = fromTypedData(returnValue) as OrchestratorState | undefined;
    if (!state || !Array.isArray(state.actions)) return { ok: false, message: 'The orchestrator returned no OrchestratorState.' };
    return { ok: true, state };
  } catch (err) {
    return { ok: false, ...stateFromThrown(err) };
  }
}
