/**
 * The typed activity boundary: every workflow step is registered as an activity under its own name
 * (src/functions/activities.ts), so the orchestrator schedules a step by its key in the steps object,
 * with that step's own input and result types.
 */
import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';
import type { StepName, StepOutput, StepParams } from './contracts';

export function scheduleStep<K extends StepName>(
  context: OrchestrationContext,
  name: K,
  retry: RetryOptions,
  input: StepParams<K>,
): Task {
  return context.df.callActivityWithRetry(name, retry, input);
}

/**
 * One attempt at step `name`, with no Durable retry: the only kind of task that may race a timer the
 * orchestrator then cancels (see pendingPublications.ts).
 */
export function scheduleStepOnce<K extends StepName>(
  context: OrchestrationContext,
  name: K,
  input: StepParams<K>,
): Task {
  return context.df.callActivity(name, input);
}

/** Runs step `name` and returns its result; throws when Durable's retries are exhausted. */
export function* callStep<K extends StepName>(
  context: OrchestrationContext,
  name: K,
  retry: RetryOptions,
  input: StepParams<K>,
): Generator<Task, StepOutput<K>, unknown> {
  // A generator's `yield` is untyped; the activity registered under `name` answers with its step's result.
  return (yield scheduleStep(context, name, retry, input)) as StepOutput<K>;
}
