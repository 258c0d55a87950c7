/**
 * The second replay Azure runs for every out-of-process episode: the extension's shim replays the
 * SDK's action list inside a DTFx orchestration while DTFx applies the history
 * (Azure/durabletask, src/DurableTask.Core/TaskOrchestrationExecutor.cs, ExecuteCore). DTFx, not
 * the SDK, decides whether the code still matches its history, which actions are new, and whether
 * the instance completes, fails or continues as new now.
 */
import type { OrchestratorState } from '../actions';
import { EventType, type HistoryEvent } from '../history';
import { NonDeterministicOrchestrationException, OrchestrationContextModel, type ModelAction } from './context';
import { AZURE_STORAGE_TIMERS, ExtensionContextModel, type TimerLimits } from './extension';
import { OutOfProcShim, UnmodelledFeature, type ShimResult } from './shim';

export interface AzureReplayInput {
  orchestrator: string;
  /** The execution's history: earlier episodes, then this episode's events (from its OrchestratorStarted). */
  history: readonly HistoryEvent[];
  /** What the SDK returned (or embedded in the error it threw). */
  state?: OrchestratorState;
  /** The SDK's error message when it threw without a state. */
  thrown?: string;
  timers?: TimerLimits;
}

export type AzureVerdict =
  /** The code uses something the model does not replay (entities, callHttp): no Azure verdict. */
  | { kind: 'unmodelled'; feature: string }
  /** NonDeterministicOrchestrationException: the instance fails with this message. */
  | { kind: 'nonDeterministic'; message: string }
  /** Still running; `actions` are the new ones DTFx schedules. `waitingForOpenTasks`: the code is done but DTFx is not. */
  | { kind: 'running'; actions: ModelAction[]; waitingForOpenTasks: boolean; warnings: string[] }
  | { kind: 'completed'; output: unknown }
  | { kind: 'failed'; message: string }
  /** `carryover`: the events raised after continueAsNew, which the next execution receives. */
  | { kind: 'continuedAsNew'; input: unknown; carryover: HistoryEvent[] };

export function replayAsAzure(input: AzureReplayInput): AzureVerdict {
  const dtfx = new OrchestrationContextModel();
  const ext = new ExtensionContextModel(dtfx, input.timers ?? AZURE_STORAGE_TIMERS);
  const shim = new OutOfProcShim(ext, input.orchestrator);
  let result: ShimResult | undefined;
  const start = (): void => {
    result = shim.run(input.state, input.thrown);
  };
  const raise = (name: string, data: string | undefined): void => ext.raiseEvent(name, data);
  try {
    for (const e of input.history) {
      if (e.EventType === EventType.OrchestratorStarted) dtfx.currentUtcDateTime = new Date(e.Timestamp);
      else dtfx.processEvent(e, start, raise);
    }
  } catch (e) {
    if (e instanceof NonDeterministicOrchestrationException) return { kind: 'nonDeterministic', message: e.message };
    if (e instanceof UnmodelledFeature) return { kind: 'unmodelled', feature: e.message };
    throw e;
  }
  // "if (!this.context.HasOpenTasks)": an orchestration completes, fails or continues as new only
  // once nothing it started (and did not cancel) is still outstanding.
  const finished = result?.task.isDone ?? false;
  if (!finished || dtfx.hasOpenTasks) {
    const actions = [...dtfx.actions.values()].sort((a, b) => a.id - b.id);
    return { kind: 'running', actions, waitingForOpenTasks: finished, warnings: ext.warnings };
  }
  if (result!.task.outcome !== 'completed')
    return { kind: 'failed', message: result!.failure ?? `Orchestrator function '${input.orchestrator}' failed` };
  if (dtfx.continueAsNew) return { kind: 'continuedAsNew', input: dtfx.continueAsNew.input, carryover: dtfx.carryover };
  return { kind: 'completed', output: result!.output };
}
