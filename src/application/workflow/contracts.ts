/**
 * What the orchestrator and its activities exchange. Everything here crosses the Durable history as
 * JSON, so it stays small and plain. Times are ISO strings from `context.df.currentUtcDateTime`, so a
 * retried activity produces the same events as the first try.
 */
import type { CompensationStep, IntakeRef, Submission, WorkItemPayload } from '../../domain/events';
import type { WorkflowPolicy } from '../../domain/policies';
import type { ResumePoint } from '../../domain/resume';
import type { ExternalJobStatus, Outcome } from '../../domain/status';
import type { StepContext, WorkflowSteps } from '../steps/workflowSteps';
import type { TraceContext } from './trace';

export const ORCHESTRATOR = 'requestWorkflow';

/** Activity names are the keys of the steps object; each step keeps its own input and result types. */
export type StepName = keyof WorkflowSteps;
export type StepParams<K extends StepName> = Parameters<WorkflowSteps[K]>[0];
export type StepOutput<K extends StepName> = Awaited<ReturnType<WorkflowSteps[K]>>;

/** The steps as activities answer them: what registration runs and what test doubles implement. */
export type StepHandlers = {
  [K in StepName]: (input: StepParams<K>, ctx?: StepContext) => StepOutput<K> | Promise<StepOutput<K>>;
};

/** Every activity that appends gets the stream position the orchestrator last saw. */
export interface StepInput {
  requestId: string;
  expectedVersion: number;
  /** The orchestration's deterministic time for this step. */
  now: string;
  correlationId: string;
  /** W3C trace context of the orchestration execution: the activity's span is its child. */
  trace?: TraceContext;
}

/**
 * Activities fail by *returning* `{ ok: false }` for errors that retrying cannot fix (the orchestrator
 * compensates at once), and by *throwing* only transient errors, which the Durable retry policy retries.
 */
export type StepResult<T> =
  | ({ ok: true; version: number; unpublished: number[] } & T)
  | { ok: false; version: number; error: string; code?: string };

export interface AdmitInput extends StepInput {
  intake: IntakeRef;
  payload: WorkItemPayload;
}
export interface PrepareInput extends StepInput {
  attempt: number;
}
export interface SubmitInput extends StepInput {
  attempt: number;
  submission: Submission;
}
export interface PollInput extends StepInput {
  attempt: number;
  externalJobId: string;
  lastStatus: ExternalJobStatus;
  maxAttempts: number;
}
export interface CancelJobInput extends StepInput {
  attempt: number;
  externalJobId: string;
  reason: string;
}
export interface CompleteInput extends StepInput {
  intake: IntakeRef;
  outcome: Outcome;
  reason?: string;
}
export interface CompensationFailureInput extends StepInput {
  step: CompensationStep;
  error: string;
}
export interface PublishInput {
  requestId: string;
  versions: number[];
  trace?: TraceContext;
}

/** `resume` is set when the stream already holds more than the admission (a restarted instance). */
export type AdmitResult = StepResult<{ resume?: ResumePoint; admittedAt?: string }>;
export type PrepareResult = StepResult<{ submission: Submission }>;
export type SubmitResult = StepResult<{ externalJobId: string }>;
export type PollResult = StepResult<{ status: ExternalJobStatus; outcome?: 'Pass' | 'Fail'; retry: boolean }>;

/** The orchestrator's input: what discovery starts it with, then what it carries across continueAsNew. */
export interface WorkflowInput {
  requestId: string;
  intake: IntakeRef;
  payload: WorkItemPayload;
  policy: WorkflowPolicy;
  /** Activity retry timings; production defaults when absent (see retryPolicies.ts). */
  retry?: RetrySettings;
  /** Absent on the first execution. */
  carried?: CarriedState;
  /** The trace of the start (the discovery span); each execution's span is its child. */
  trace?: TraceContext;
}

export interface CarriedState {
  phase: 'submit' | 'poll';
  attempt: number;
  version: number;
  admittedAt: string;
  deadline: string;
  externalJobId?: string;
  lastStatus?: ExternalJobStatus;
  pollIndex: number;
  /** Versions an earlier execution could not publish; retried at this execution's next flush. */
  unpublished?: number[];
  publishFailure?: string;
}

/** What the orchestration returns when it ends. */
export interface WorkflowOutput {
  requestId: string;
  outcome: Outcome;
  reason?: string;
  attempts: number;
  externalJobId?: string;
  version: number;
  needsIntervention: boolean;
  /** Set when publishEvents ran out of retries: these versions still need publishing. */
  unpublishedVersions?: number[];
  publishFailure?: string;
}

/** Custom status: what an operator sees on the instance while it runs. */
export interface WorkflowCustomStatus {
  stage:
    | 'admitting'
    | 'preparing'
    | 'submitting'
    | 'polling'
    | 'compensating'
    | 'completing'
    | 'completed'
    | 'needsIntervention';
  attempt: number;
  externalJobId?: string;
  lastExternalStatus?: ExternalJobStatus;
  nextPollAt?: string;
  version: number;
  pendingPublications: number;
  reason?: string;
}

export interface RetrySettings {
  /** Business steps: transient failures (429, 5xx, network) are retried this way. */
  stepFirstRetryMs: number;
  stepMaxAttempts: number;
  /** Publishing: Event Grid may be down for a while; retried for hours. */
  publishFirstRetryMs: number;
  publishMaxAttempts: number;
  maxRetryIntervalMs: number;
}
