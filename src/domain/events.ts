/**
 * The request stream's domain events. One stream per request (streamId = requestId).
 * Domain names are past-tense; the public CloudEvents `type` for each lives in
 * infrastructure/eventgrid (see WIRE_TYPES there), so the stored form and the public contract
 * can evolve separately.
 */
import type { ExternalJobStatus, Outcome } from './status';

export interface IntakeRef {
  partitionKey: string;
  rowKey: string;
}

export interface RequestDiscovered {
  type: 'RequestDiscovered';
  data: { requestId: string; intake: IntakeRef; payload: WorkItemPayload; discoveredAt: string };
}
export interface SubmissionPrepared {
  type: 'SubmissionPrepared';
  data: { requestId: string; attempt: number; submission: Submission; preparedAt: string };
}
export interface JobSubmitted {
  type: 'JobSubmitted';
  data: { requestId: string; attempt: number; externalJobId: string; submittedAt: string };
}
export interface JobStatusChanged {
  type: 'JobStatusChanged';
  data: {
    requestId: string;
    attempt: number;
    externalJobId: string;
    previousStatus: ExternalJobStatus;
    status: ExternalJobStatus;
    observedAt: string;
  };
}
export interface JobTerminal {
  type: 'JobTerminal';
  /** `attemptsExhausted` is true when the last status was FailCanRetry and no attempt was left. */
  data: {
    requestId: string;
    attempt: number;
    externalJobId: string;
    status: ExternalJobStatus;
    outcome: 'Pass' | 'Fail';
    attemptsExhausted: boolean;
    observedAt: string;
  };
}
export interface JobCancelled {
  type: 'JobCancelled';
  data: { requestId: string; attempt: number; externalJobId: string; reason: string; cancelledAt: string };
}
export interface CompensationFailed {
  type: 'CompensationFailed';
  data: { requestId: string; step: CompensationStep; error: string; failedAt: string };
}
export interface RequestCompleted {
  type: 'RequestCompleted';
  data: { requestId: string; outcome: Outcome; reason?: string; completedAt: string };
}

export type RequestEvent =
  | RequestDiscovered
  | SubmissionPrepared
  | JobSubmitted
  | JobStatusChanged
  | JobTerminal
  | JobCancelled
  | CompensationFailed
  | RequestCompleted;

export type RequestEventType = RequestEvent['type'];

export const REQUEST_EVENT_TYPES: readonly RequestEventType[] = [
  'RequestDiscovered',
  'SubmissionPrepared',
  'JobSubmitted',
  'JobStatusChanged',
  'JobTerminal',
  'JobCancelled',
  'CompensationFailed',
  'RequestCompleted',
];

/** The work item as the intake row carries it (the row's `Payload` column, JSON). */
export interface WorkItemPayload {
  /** What the external service should do; the mock reads `scenario` to pick an outcome. */
  scenario?: string;
  [key: string]: unknown;
}

/** What is sent to the external service for one attempt. */
export interface Submission {
  requestId: string;
  attempt: number;
  payload: WorkItemPayload;
}

export type CompensationStep = 'cancelJob' | 'releaseIntake';

/** Metadata stored beside each event and carried into its CloudEvent envelope. */
export interface EventMetadata {
  correlationId: string;
  causationId: string;
  traceparent?: string;
}

/** An event as stored: version is its position in the stream (1-based), eventId is deterministic. */
export interface StoredEvent<E extends RequestEvent = RequestEvent> {
  streamId: string;
  version: number;
  eventId: string;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
  /** Deterministic time of the step that produced it (the orchestration's time), ISO 8601. */
  occurredAt: string;
}

/** Why a value cannot be a work item's payload, or undefined if it can (one rule for the API and the table). */
export function workItemPayloadProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `payload must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`;
  }
  const scenario = (value as WorkItemPayload).scenario;
  if (scenario !== undefined && typeof scenario !== 'string')
    return `payload.scenario must be a string, got a ${typeof scenario}`;
  return undefined;
}
