/** Domain event name → public CloudEvents `type` (design.md §2 catalog). */
import type { RequestEventType } from '../../domain/events';

export const WIRE_TYPES: Readonly<Record<RequestEventType, string>> = {
  RequestDiscovered: 'workflow.request.discovered.v1',
  SubmissionPrepared: 'workflow.submission.prepared.v1',
  JobSubmitted: 'workflow.job.submitted.v1',
  JobStatusChanged: 'workflow.job.statuschanged.v1',
  JobTerminal: 'workflow.job.terminal.v1',
  JobCancelled: 'workflow.job.cancelled.v1',
  CompensationFailed: 'workflow.compensation.failed.v1',
  RequestCompleted: 'workflow.request.completed.v1',
};
