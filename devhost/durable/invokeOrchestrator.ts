/**
 * One call of the orchestrator function through the worker's path (docs/DURABLE_PROTOCOL.md §3 path A,
 * §4 payload, §6.3 failures).
 */
import { fromTypedData, invokeRegistration } from '../functions/invoke';
import type { Registration } from '../functions/types';
import { stateFromThrown, type OrchestratorState } from './actions';
import { AZURE_STORAGE_TIMERS } from './dtfx/extension';
import type { HistoryEvent } from './history';

/** A whole number of days as a .NET TimeSpan string ("6.00:00:00"). */
const timeSpan = (ms: number): string => `${ms / 86_400_000}.00:00:00`;

export interface OrchestratorCall {
  instanceId: string;
  parentInstanceId?: string;
  /** Parsed input value. */
  input: unknown;
  /** Played events, then this episode's new ones (IsPlayed false). */
  history: readonly HistoryEvent[];
}

export type OrchestratorResult =
  { ok: true; state: OrchestratorState } | { ok: false; state?: OrchestratorState; message: string };

export async function invokeOrchestrator(
  reg: Registration,
  call: OrchestratorCall,
  onLog?: (level: string, category: string, message: string) => void,
): Promise<OrchestratorResult> {
  const payload = {
    history: call.history,
    input: call.input,
    instanceId: call.instanceId,
    isReplaying: false,
    parentInstanceId: call.parentInstanceId ?? null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    // What the Azure Storage provider sends (AzureStorageDurabilityProvider.cs): longer timers are split.
    maximumShortTimerDuration: timeSpan(AZURE_STORAGE_TIMERS.maximumMs),
    longRunningTimerIntervalDuration: timeSpan(AZURE_STORAGE_TIMERS.intervalMs),
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  try {
    const { returnValue } = await invokeRegistration(reg, { trigger: { string: JSON.stringify(payload) }, onLog });
    const state = fromTypedData(returnValue) as OrchestratorState | undefined;
    if (!state || !Array.isArray(state.actions))
      return { ok: false, message: 'The orchestrator returned no OrchestratorState.' };
    return { ok: true, state };
  } catch (err) {
    return { ok: false, ...stateFromThrown(err) };
  }
}
