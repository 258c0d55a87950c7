/** Thin registrations: each workflow step is an activity of the same name that hands its input to that step. */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { STEP_NAMES } from '../application/steps/workflowSteps';
import type { StepHandlers, StepName, StepParams } from '../application/workflow/contracts';
import { getServices } from '../infrastructure/services';
import { traceContextOf } from '../infrastructure/telemetry/tracing';
import { activitySpan } from './telemetry';

export function registerActivities(): void {
  for (const name of STEP_NAMES) {
    df.app.activity(name, {
      handler: (input: unknown, context: InvocationContext) =>
        activitySpan(name, input, context, async (span) => {
          const steps: StepHandlers = (await getServices()).steps;
          // The input is the JSON the orchestrator scheduled for this step (stepCalls.ts types it there);
          // the events it appends record the activity's span as where they were decided.
          return runStep(steps, name, input as StepParams<typeof name>, traceContextOf(span)?.traceparent);
        }),
    });
  }
}

function runStep<K extends StepName>(
  steps: StepHandlers,
  name: K,
  input: StepParams<K>,
  traceparent: string | undefined,
): unknown {
  return steps[name](input, { traceparent });
}
