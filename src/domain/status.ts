/** Wire statuses of the external service. */
export type ExternalJobStatus = 'Created' | 'Inprogress' | 'Pass' | 'Fail' | 'FailCanRetry';
export const EXTERNAL_JOB_STATUSES: readonly ExternalJobStatus[] = [
  'Created',
  'Inprogress',
  'Pass',
  'Fail',
  'FailCanRetry',
];

/** How a request ends. */
export type Outcome = 'Pass' | 'Fail' | 'Cancelled' | 'TimedOut';
export const OUTCOMES: readonly Outcome[] = ['Pass', 'Fail', 'Cancelled', 'TimedOut'];

/** The intake row's Status column. */
export type IntakeStatus = 'Unprocessed' | 'Claimed' | Outcome | 'Quarantined';

/** Where a request is in its life, as folded from its events. */
export type RequestStage =
  'New' | 'Discovered' | 'Prepared' | 'Submitted' | 'Polling' | 'Terminal' | 'Completed' | 'NeedsIntervention';
export const REQUEST_STAGES: readonly RequestStage[] = [
  'New',
  'Discovered',
  'Prepared',
  'Submitted',
  'Polling',
  'Terminal',
  'Completed',
  'NeedsIntervention',
];
