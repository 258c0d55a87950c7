/**
 * The little of .NET's Task that the replay model needs. DTFx runs an orchestration on a
 * SynchronousTaskScheduler (DurableTask.Core/TaskOrchestrationExecutor.cs), so every continuation
 * runs at once, inside the call that completed the task: ids are taken in exactly the order the
 * awaits proceed while history is applied. Values are not modelled, only outcomes.
 */
export type Outcome = 'completed' | 'faulted' | 'canceled';

export class ModelTask {
  outcome: Outcome | undefined;
  private continuations: (() => void)[] = [];

  get isDone(): boolean {
    return this.outcome !== undefined;
  }

  /** Runs `next` when the task is done: now if it already is (an await on a completed task continues synchronously). */
  then(next: () => void): void {
    if (this.outcome !== undefined) next();
    else this.continuations.push(next);
  }

  /** TaskCompletionSource.TrySet…: false when the task was already done. */
  trySet(outcome: Outcome): boolean {
    if (this.outcome !== undefined) return false;
    this.outcome = outcome;
    const waiting = this.continuations;
    this.continuations = [];
    for (const next of waiting) next();
    return true;
  }

  static done(outcome: Outcome = 'completed'): ModelTask {
    const t = new ModelTask();
    t.outcome = outcome;
    return t;
  }
}

/** Task.WhenAny: completes (successfully) as soon as one child is done. */
export function whenAny(children: ModelTask[]): ModelTask {
  if (children.length === 0) throw new Error('The tasks argument contains no tasks.');
  const any = new ModelTask();
  for (const child of children) child.then(() => any.trySet('completed'));
  return any;
}

/** Task.WhenAll: done when every child is; faulted if one faulted, else canceled if one was. */
export function whenAll(children: ModelTask[]): ModelTask {
  const all = new ModelTask();
  let left = children.length;
  const settle = (): void => {
    const outcomes = children.map((c) => c.outcome);
    all.trySet(outcomes.includes('faulted') ? 'faulted' : outcomes.includes('canceled') ? 'canceled' : 'completed');
  };
  if (left === 0) settle();
  for (const child of children)
    child.then(() => {
      if (--left === 0) settle();
    });
  return all;
}
