/**
 * What an episode commits, decided the way Azure decides it: by the replay model of the Durable
 * extension's shim on DTFx (see replay.ts). Apps that use something the model does not replay
 * (entities, callHttp) keep the SDK's own view, and the engine says so once per instance.
 */
import { ActionType, decodeActionInput, type OrchestratorAction } from '../actions';
import type { ActionWork, Scheduling } from '../applyActions';
import type { HistoryEvent } from '../history';
import type { OrchestratorResult } from '../invokeOrchestrator';
import { replayAsAzure } from './replay';
import { scheduleModelActions } from './schedule';

export { replayAsAzure, type AzureVerdict } from './replay';
export { AZURE_STORAGE_TIMERS, type TimerLimits } from './extension';

export type EpisodeEnd =
  | { status: 'Failed'; message: string }
  | { status: 'Completed'; output: unknown }
  | { status: 'ContinuedAsNew'; input: unknown; carryover: HistoryEvent[] };

export interface EpisodeDecision {
  work: ActionWork;
  end?: EpisodeEnd;
  warning?: string;
}

export interface DecideInput extends Scheduling {
  /** The whole execution's history including this episode's new events. */
  history: readonly HistoryEvent[];
  result: OrchestratorResult;
  /** The SDK's view: its flattened actions and what applyActions made of them. */
  actions: OrchestratorAction[];
  sdkWork: ActionWork;
}

export function decideEpisode(input: DecideInput): EpisodeDecision {
  const { record, result, sdkWork } = input;
  const verdict = replayAsAzure({
    orchestrator: record.name,
    history: input.history,
    state: result.state,
    thrown: result.ok ? undefined : result.message,
  });
  const none = (): ActionWork => ({ events: [], send: [], children: [], canceledTimerMessages: [] });
  switch (verdict.kind) {
    case 'nonDeterministic':
      return { work: none(), end: { status: 'Failed', message: verdict.message } };
    case 'failed':
      return { work: none(), end: { status: 'Failed', message: verdict.message } };
    case 'completed':
      return { work: none(), end: { status: 'Completed', output: verdict.output } };
    case 'continuedAsNew':
      return { work: none(), end: { status: 'ContinuedAsNew', input: verdict.input, carryover: verdict.carryover } };
    case 'running': {
      const work = scheduleModelActions(input, verdict.actions);
      work.canceledTimerMessages = sdkWork.canceledTimerMessages;
      // The SDK reports no `error` for a thrown non-Error, and the shim then waits for ever, as in Azure.
      const hangs = !result.ok && result.state !== undefined && !result.state.error && !result.state.isDone;
      const warnings = [
        ...(hangs
          ? [
              'it threw a value that is not an Error; the Durable extension records no failure for that and leaves the instance Running, as the devhost does',
            ]
          : []),
        ...verdict.warnings,
      ];
      return {
        work,
        warning: warnings.length > 0 ? `instance '${record.instanceId}': ${warnings.join('; ')}` : undefined,
      };
    }
    case 'unmodelled':
      return {
        ...sdkView(input),
        warning:
          `instance '${record.instanceId}' uses ${verdict.feature}, which the devhost's replay model of the Durable extension and DTFx does not cover: ` +
          'its determinism, completion and timers follow the durable-functions SDK alone, not what Azure would decide',
      };
  }
}

/** The SDK's own view: ids as the SDK numbers them, completion as soon as the SDK is done. */
function sdkView({ record, result, actions, sdkWork }: DecideInput): EpisodeDecision {
  const failure = sdkWork.failure ?? (result.ok ? undefined : result.message);
  if (failure !== undefined)
    return {
      work: sdkWork,
      end: { status: 'Failed', message: `Orchestrator function '${record.name}' failed: ${failure}` },
    };
  const state = result.state;
  if (!state?.isDone) return { work: sdkWork };
  const continueAsNew = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
  if (continueAsNew)
    return { work: sdkWork, end: { status: 'ContinuedAsNew', input: decodeActionInput(continueAsNew), carryover: [] } };
  return { work: sdkWork, end: { status: 'Completed', output: state.output } };
}
