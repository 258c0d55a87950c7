/**
 * The out-of-process shim (Azure/azure-functions-durable-extension,
 * src/WebJobs.Extensions.DurableTask/Listener/OutOfProcOrchestrationShim.cs and TaskOrchestrationShim.cs):
 * replays the action list the SDK returned as calls on the extension's context, in order, awaiting
 * each one, and decides the orchestration's result from the SDK's state.
 */
import { ActionType, decodeActionInput, type OrchestratorAction, type OrchestratorState } from '../actions';
import { CancelToken } from './context';
import type { ExtensionContextModel } from './extension';
import { ModelTask, whenAll, whenAny } from './task';

/** A feature the model does not replay; the engine falls back to the SDK's own view and says so. */
export class UnmodelledFeature extends Error {}

/** The shim's SchemaVersion enum: Original (V1), V2, V3. Newer values are refused. */
const SCHEMA = { Original: 0, V2: 1, V3: 2 } as const;

const UNMODELLED: Record<number, string> = {
  [ActionType.CallEntity]: 'callEntity',
  [ActionType.CallHttp]: 'callHttp',
  [ActionType.SignalEntity]: 'signalEntity',
  10: 'signalEntity (scheduled)',
  [ActionType.LockEntities]: 'entity locks',
  [ActionType.ReleaseEntities]: 'entity locks',
};

/** What the orchestration function produced: its output on success, or the failure DTFx records. */
export interface ShimResult {
  task: ModelTask;
  output?: unknown;
  failure?: string;
}

export class OutOfProcShim {
  /** Why the replay loop itself threw (an invalid action), as the extension reports it. */
  private fault: string | undefined;

  constructor(
    private readonly ext: ExtensionContextModel,
    private readonly orchestrator: string,
  ) {}

  private failed(message: string): string {
    return `Orchestrator function '${this.orchestrator}' failed: ${message}`;
  }

  /**
   * TaskOrchestrationShim.InvokeUserCodeAndHandleResults + HandleDurableTaskReplay: replay the
   * actions; then an `error` fails the orchestration, `isDone` completes it, and anything else
   * waits forever (Task.Delay(Infinite)): the SDK will be called again with more history.
   */
  run(state: OrchestratorState | undefined, thrown: string | undefined): ShimResult {
    if (!state) return { task: ModelTask.done('faulted'), failure: this.failed(String(thrown)) };
    const result: ShimResult = { task: new ModelTask() };
    const replayed =
      this.guard(() => this.replay(state.actions, state.schemaVersion ?? SCHEMA.Original)) ?? ModelTask.done('faulted');
    replayed.then(() => {
      if (replayed.outcome === 'faulted') {
        result.failure = this.failed(this.fault ?? 'the action list could not be replayed');
        result.task.trySet('faulted');
      } else if (state.error) {
        result.failure = this.failed(state.error);
        result.task.trySet('faulted');
      } else if (state.isDone) {
        result.output = state.output;
        result.task.trySet('completed');
      }
    });
    return result;
  }

  /** ReplayOOProcOrchestration: V2/V3 take one flat list; the original schema one list per yield. */
  private replay(actions: OrchestratorAction[][], schema: number): ModelTask {
    if (schema === SCHEMA.V2 || schema === SCHEMA.V3) {
      const [only] = actions;
      if (actions.length !== 1 || only === undefined)
        throw new Error(
          `With OOProc schema ${schema === SCHEMA.V2 ? 'V2' : 'V3'}, expected actions array to be of length 1 in outer layer but got size: ${actions.length}`,
        );
      return this.inOrder(only, schema);
    }
    if (schema === SCHEMA.Original) return this.perYield(actions, schema);
    throw new Error(`The OOProc schema of of version "${schema}" is unsupported by this durable-extension version.`);
  }

  /** An exception thrown while invoking an action faults the replay loop (an async method): undefined then. */
  private guard(work: () => ModelTask): ModelTask | undefined {
    try {
      return work();
    } catch (e) {
      if (e instanceof UnmodelledFeature) throw e;
      this.fault ??= e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  /** ProcessAsyncActionsV2: each action is invoked, then awaited (its failure ignored), before the next. */
  private inOrder(actions: OrchestratorAction[], schema: number): ModelTask {
    const done = new ModelTask();
    const step = (i: number): void => {
      const action = actions[i];
      if (action === undefined) return void done.trySet('completed');
      const task = this.guard(() => this.invoke(action, schema));
      if (!task) return void done.trySet('faulted');
      task.then(() => step(i + 1));
    };
    step(0);
    return done;
  }

  /** ProcessAsyncActionsV1: all actions of one yield are invoked, then Task.WhenAny of them is awaited. */
  private perYield(sets: OrchestratorAction[][], schema: number): ModelTask {
    const done = new ModelTask();
    const step = (i: number): void => {
      const set = sets[i];
      if (set === undefined) return void done.trySet('completed');
      const tasks: ModelTask[] = [];
      for (const a of set) {
        const task = this.guard(() => this.invoke(a, schema));
        if (!task) return void done.trySet('faulted');
        if (a.actionType !== ActionType.ContinueAsNew) tasks.push(task);
      }
      if (tasks.length === 0) return step(i + 1);
      whenAny(tasks).then(() => step(i + 1));
    };
    step(0);
    return done;
  }

  /** InvokeAPIFromAction. */
  private invoke(a: OrchestratorAction, schema: number): ModelTask {
    const { ext } = this;
    switch (a.actionType) {
      case ActionType.CallActivity:
        return ext.dtfx.scheduleTask(a);
      case ActionType.CallActivityWithRetry:
        return ext.withRetry(retryOptionsOf(a), () => ext.dtfx.scheduleTask(a));
      case ActionType.CallSubOrchestrator:
        return ext.dtfx.createSubOrchestration(a);
      case ActionType.CallSubOrchestratorWithRetry:
        return ext.withRetry(retryOptionsOf(a), () => ext.dtfx.createSubOrchestration(a));
      case ActionType.CreateTimer: {
        const fireAt = new Date(String(a.fireAt));
        if (schema < SCHEMA.V3) ext.checkTimerLength(fireAt);
        const token = new CancelToken();
        const task = ext.createTimer(fireAt, token);
        if (a.isCanceled) token.cancel();
        return task;
      }
      case ActionType.WaitForExternalEvent:
        return ext.waitForExternalEvent(String(a.externalEventName));
      case ActionType.ContinueAsNew:
        ext.dtfx.setContinueAsNew(decodeActionInput(a));
        return ModelTask.done();
      case ActionType.WhenAll:
        return whenAll((a.compoundActions ?? []).map((c) => this.invoke(c, schema)));
      case ActionType.WhenAny:
        return whenAny((a.compoundActions ?? []).map((c) => this.invoke(c, schema)));
      default: {
        const feature = UNMODELLED[a.actionType];
        if (feature) throw new UnmodelledFeature(feature);
        throw new Error(`Received an unexpected action type from the out-of-proc function: '$${a.actionType}'.`);
      }
    }
  }
}

/** RetryOptionsConverter: the two required fields. */
function retryOptionsOf(a: OrchestratorAction): NonNullable<OrchestratorAction['retryOptions']> {
  if (!a.retryOptions) throw new Error('Invalid JSON. Must contain field firstRetryIntervalInMilliseconds');
  return a.retryOptions;
}
