/** Thin registrations: each activity hands its input to one workflow step. */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { WorkflowSteps } from '../application/steps/workflowSteps';
import { ACTIVITY } from '../application/workflow/contracts';
import { getServices } from '../infrastructure/services';
import { traceContextOf } from '../infrastructure/telemetry/tracing';
import { activitySpan } from './telemetry';

type StepName = Exclude<keyof WorkflowSteps, never>;

const ACTIVITY_STEPS: Record<(typeof ACTIVITY)[keyof typeof ACTIVITY], StepName> = {
  [ACTIVITY.admit]: 'admitRequest',
  [ACTIVITY.prepare]: 'prepareSubmission',
  [ACTIVITY.submit]: 'submitJob',
  [ACTIVITY.poll]: 'pollJob',
  [ACTIVITY.cancelJob]: 'cancelJob',
  [ACTIVITY.complete]: 'completeRequest',
  [ACTIVITY.recordCompensationFailure]: 'recordCompensationFailure',
  [ACTIVITY.publish]: 'publishEvents',
};

export function registerActivities(): void {
  for (const [activity, step] of Object.entries(ACTIVITY_STEPS)) {
    df.app.activity(activity, {
      handler: (input: unknown, context: InvocationContext) =>
        activitySpan(activity, input, context, async (span) => {
          const steps = (await getServices()).steps;
          const run = steps[step] as (input: unknown, ctx?: { traceparent?: string }) => Promise<unknown>;
          // The events this step appends record the activity's span as where they were decided.
          return run(input, { traceparent: traceContextOf(span)?.traceparent });
        }),
    });
  }
}
