/**
 * Domain event → CloudEvents 1.0 (structured JSON form, as it travels to Event Grid).
 * The mapping is pure: the same stored event always gives the same CloudEvent, so a redelivery
 * after a retry carries the same `id` and subscribers can drop the duplicate.
 */
import type { StoredEvent } from '../../domain/events';
import { WIRE_TYPES } from '../events/wireTypes';
import { schemaUrlFor } from '../events/schemaRegistry';

export interface WorkflowCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: unknown;
  /**
   * Stream version as a zero-padded decimal string (CloudEvents "sequence" extension: a
   * lexicographically orderable string). Padding to 16 digits covers every safe integer, so both a
   * string sort and `Number(sequence)` order events correctly.
   */
  sequence: string;
  correlationid: string;
  causationid: string;
  /** CloudEvents distributed-tracing extension: the context of the span that sent the event. */
  traceparent?: string;
  tracestate?: string;
}

export interface CloudEventOptions {
  /** CloudEvents `source` URI-reference of this app (setting EVENT_SOURCE). */
  source: string;
  /** Base of each event's `dataschema` URI (setting EVENT_SCHEMA_BASE_URL). */
  schemaBaseUrl: string;
}

const SEQUENCE_DIGITS = 16;

export function formatSequence(version: number): string {
  return String(version).padStart(SEQUENCE_DIGITS, '0');
}

export function toCloudEvent(stored: StoredEvent, opts: CloudEventOptions): WorkflowCloudEvent {
  const type = WIRE_TYPES[stored.type];
  const event: WorkflowCloudEvent = {
    specversion: '1.0',
    id: stored.eventId,
    source: opts.source,
    type,
    subject: `requests/${stored.streamId}`,
    time: stored.occurredAt,
    datacontenttype: 'application/json',
    dataschema: schemaUrlFor(type, opts.schemaBaseUrl),
    data: stored.data,
    sequence: formatSequence(stored.version),
    correlationid: stored.metadata.correlationId,
    causationid: stored.metadata.causationId,
  };
  if (stored.metadata.traceparent) event.traceparent = stored.metadata.traceparent;
  return event;
}
