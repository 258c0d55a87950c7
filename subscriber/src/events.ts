/**
 * What the subscriber reads from the workflow's events: one shape for an event that arrived as a
 * CloudEvent and one fetched from the workflow's API to fill a gap. Types the subscriber does not
 * know still advance its position in the stream (a newer producer may add types).
 */
export type EventKind =
  | 'RequestDiscovered'
  | 'SubmissionPrepared'
  | 'JobSubmitted'
  | 'JobStatusChanged'
  | 'JobTerminal'
  | 'JobCancelled'
  | 'CompensationFailed'
  | 'RequestCompleted';

export interface InboxEvent {
  /** CloudEvent id (= the stored event's id). */
  id: string;
  streamId: string;
  /** Position in the request's stream (CloudEvent `sequence`). */
  version: number;
  kind: EventKind | 'Unknown';
  data: Record<string, unknown>;
}

const KIND_BY_TYPE: Record<string, EventKind> = {
  'workflow.request.discovered.v1': 'RequestDiscovered',
  'workflow.submission.prepared.v1': 'SubmissionPrepared',
  'workflow.job.submitted.v1': 'JobSubmitted',
  'workflow.job.statuschanged.v1': 'JobStatusChanged',
  'workflow.job.terminal.v1': 'JobTerminal',
  'workflow.job.cancelled.v1': 'JobCancelled',
  'workflow.compensation.failed.v1': 'CompensationFailed',
  'workflow.request.completed.v1': 'RequestCompleted',
};
const KINDS = new Set<string>(Object.values(KIND_BY_TYPE));

export class PoisonEventError extends Error {
  override name = 'PoisonEventError';
}

/** A delivered CloudEvent (structured JSON) as an inbox event; throws PoisonEventError when it cannot be one. */
export function fromCloudEvent(e: unknown): InboxEvent {
  const ce = e as Record<string, unknown>;
  if (typeof ce !== 'object' || ce === null) throw new PoisonEventError('the event is not a JSON object');
  const subject = typeof ce.subject === 'string' ? /^requests\/(.+)$/.exec(ce.subject)?.[1] : undefined;
  const version = Number(ce.sequence);
  if (typeof ce.id !== 'string' || ce.id === '') throw new PoisonEventError('the event has no id');
  if (!subject)
    throw new PoisonEventError(`event ${ce.id}: subject ${JSON.stringify(ce.subject)} is not requests/{id}`);
  if (!Number.isSafeInteger(version) || version < 1)
    throw new PoisonEventError(`event ${ce.id}: sequence ${JSON.stringify(ce.sequence)} is not a stream position`);
  return {
    id: ce.id,
    streamId: subject,
    version,
    kind: KIND_BY_TYPE[String(ce.type)] ?? 'Unknown',
    data: (ce.data ?? {}) as Record<string, unknown>,
  };
}

/** A stored event as the workflow's GET /api/requests/{id}/events returns it. */
export function fromStoredEvent(e: {
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: unknown;
}): InboxEvent {
  return {
    id: e.eventId,
    streamId: e.streamId,
    version: e.version,
    kind: KINDS.has(e.type) ? (e.type as EventKind) : 'Unknown',
    data: (e.data ?? {}) as Record<string, unknown>,
  };
}
