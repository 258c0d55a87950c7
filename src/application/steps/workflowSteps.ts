/**
 * The workflow's activities, one use case each, built over ports. Every step is safe to run twice:
 * appends are keyed by stream version (recordStep), the external job is created once per attempt
 * (createJobOnce), the intake write is idempotent.
 *
 * Error contract: a step throws only errors worth retrying (TransientError and unknown errors);
 * anything retrying cannot fix comes back as `{ ok: false }` so the orchestrator compensates at once.
 */
import { decide } from '../../domain/decide';
import type { StoredEvent } from '../../domain/events';
import { isIllegalTransition } from '../../domain/errors';
import { resumePoint } from '../../domain/resume';
import type { ExternalJobStatus } from '../../domain/status';
import { ensureError, errorCodeOf, isRetriable, TransientError } from '../errors';
import type { ExternalJobs, IdempotencyStore, IntakeRepository } from '../ports';
import type {
  AdmitInput,
  AdmitResult,
  CancelJobInput,
  CompensationFailureInput,
  CompleteInput,
  PollInput,
  PollResult,
  PrepareInput,
  PrepareResult,
  PublishInput,
  StepInput,
  StepResult,
  SubmitInput,
  SubmitResult,
} from '../workflow/contracts';
import { recordStep, type StepDeps } from './recordStep';

export interface WorkflowStepDeps extends StepDeps {
  intake: IntakeRepository;
  externalJobs: ExternalJobs;
  idempotency: IdempotencyStore;
}

/** Optional per-invocation context the function wrapper passes (W3C trace context). */
export interface StepContext {
  traceparent?: string;
}

export function createWorkflowSteps(deps: WorkflowStepDeps) {
  const run = async <T extends object>(
    name: string,
    input: StepInput,
    ctx: StepContext | undefined,
    body: Parameters<typeof recordStep>[2],
    extra: (state: Awaited<ReturnType<typeof recordStep>>['state']) => T,
  ): Promise<StepResult<T>> => {
    try {
      const r = await recordStep(deps, { ...input, stepName: name, traceparent: ctx?.traceparent }, body);
      return { ok: true, version: r.version, unpublished: r.unpublished, ...extra(r.state) };
    } catch (e) {
      return refuseOrRethrow(e, input.expectedVersion);
    }
  };

  return {
    admitRequest: (input: AdmitInput, ctx?: StepContext): Promise<AdmitResult> =>
      run(
        'admitRequest',
        input,
        ctx,
        (s) =>
          decide(
            { type: 'Admit', requestId: input.requestId, intake: input.intake, payload: input.payload, now: input.now },
            s,
          ),
        // More than the admission in the stream: this instance replaces one that died or was terminated.
        (s) => (s.version > 1 ? { resume: resumePoint(s), admittedAt: s.admittedAt } : {}),
      ),

    prepareSubmission: (input: PrepareInput, ctx?: StepContext): Promise<PrepareResult> =>
      run(
        'prepareSubmission',
        input,
        ctx,
        (s) => decide({ type: 'PrepareSubmission', attempt: input.attempt, now: input.now }, s),
        (s) => ({
          submission: { requestId: input.requestId, attempt: input.attempt, payload: s.payload ?? {} },
        }),
      ),

    submitJob: async (input: SubmitInput, ctx?: StepContext): Promise<SubmitResult> => {
      let jobId: string | undefined;
      return run(
        'submitJob',
        input,
        ctx,
        async (s) => {
          jobId = await createJobOnce(deps, input);
          return decide({ type: 'RecordSubmission', attempt: input.attempt, externalJobId: jobId, now: input.now }, s);
        },
        (s) => ({ externalJobId: s.externalJobId ?? (jobId as string) }),
      );
    },

    pollJob: async (input: PollInput, ctx?: StepContext): Promise<PollResult> => {
      let observed: ExternalJobStatus = input.lastStatus;
      return run(
        'pollJob',
        input,
        ctx,
        async (s) => {
          const job = await deps.externalJobs.get(input.externalJobId);
          observed = job.status;
          return decide({ type: 'RecordPoll', status: job.status, now: input.now, maxAttempts: input.maxAttempts }, s);
        },
        (s) => {
          const status = s.lastExternalStatus ?? observed;
          const terminal = s.stage === 'Terminal' && (s.outcome === 'Pass' || s.outcome === 'Fail');
          return {
            status,
            outcome: terminal ? (s.outcome as 'Pass' | 'Fail') : undefined,
            retry: !terminal && status === 'FailCanRetry',
          };
        },
      );
    },

    cancelJob: (input: CancelJobInput, ctx?: StepContext): Promise<StepResult<object>> =>
      run(
        'cancelJob',
        input,
        ctx,
        async (s) => {
          await deps.externalJobs.cancel(input.externalJobId);
          return decide({ type: 'RecordJobCancelled', reason: input.reason, now: input.now }, s);
        },
        () => ({}),
      ),

    completeRequest: (input: CompleteInput, ctx?: StepContext): Promise<StepResult<object>> =>
      run(
        'completeRequest',
        input,
        ctx,
        async (s) => {
          const events = decide({ type: 'Complete', outcome: input.outcome, reason: input.reason, now: input.now }, s);
          // The row is written before the event, so `completed` in the stream means the row says so too.
          await deps.intake.complete(input.intake, input.outcome, { reason: input.reason, completedAt: input.now });
          return events;
        },
        () => ({}),
      ),

    recordCompensationFailure: (input: CompensationFailureInput, ctx?: StepContext): Promise<StepResult<object>> =>
      run(
        'recordCompensationFailure',
        input,
        ctx,
        (s) => decide({ type: 'RecordCompensationFailed', step: input.step, error: input.error, now: input.now }, s),
        () => ({}),
      ),

    /** Slow path of the publishing guarantee: throws (so Durable retries) until every version is out. */
    publishEvents: async (input: PublishInput): Promise<{ published: number }> => {
      const found = await Promise.all(
        [...new Set(input.versions)].map((v) => deps.eventStore.readEvent(input.requestId, v)),
      );
      const events = found.filter((e): e is StoredEvent => e !== undefined);
      const result = await deps.publisher.publish(events);
      const [firstFailure] = result.failed;
      if (firstFailure) {
        throw new TransientError(
          `${result.failed.length} of ${events.length} events of ${input.requestId} not published yet: ${firstFailure.error}`,
        );
      }
      return { published: result.published.length };
    },
  };
}

export type WorkflowSteps = ReturnType<typeof createWorkflowSteps>;

/** Every step's name, which is also its activity's name; the compiler keeps it equal to the steps object's keys. */
const STEP_NAME_SET: Record<keyof WorkflowSteps, true> = {
  admitRequest: true,
  prepareSubmission: true,
  submitJob: true,
  pollJob: true,
  cancelJob: true,
  completeRequest: true,
  recordCompensationFailure: true,
  publishEvents: true,
};
export const STEP_NAMES = Object.keys(STEP_NAME_SET) as (keyof WorkflowSteps)[];

/**
 * Creates the attempt's external job at most once. A job already recorded for (request, attempt) is
 * reused without calling the service, however long the service keeps Idempotency-Key values; the
 * header (same key for the same attempt) covers only a crash between the create and the record.
 */
async function createJobOnce(deps: WorkflowStepDeps, input: SubmitInput): Promise<string> {
  const key = `${input.requestId}:${input.attempt}`;
  const recorded = await deps.idempotency.lookup<{ externalJobId: string }>(`job:${key}`);
  if (recorded) return recorded.value.externalJobId;
  const job = await deps.externalJobs.create(input.submission, key);
  await deps.idempotency.record(`job:${key}`, { externalJobId: job.id });
  return job.id;
}

function refuseOrRethrow(e: unknown, version: number): { ok: false; version: number; error: string; code?: string } {
  if (isRetriable(e)) throw e;
  const code = errorCodeOf(e);
  // Unknown errors are retried too: better a few extra tries than compensating a blip.
  if (code === undefined && !isIllegalTransition(e)) throw e;
  return { ok: false, version, error: ensureError(e).message, code: code ?? 'IllegalTransition' };
}
