/**
 * The subscriber's side of the CloudEvents distributed-tracing extension: a CONSUMER span whose parent
 * is the `traceparent` (and `tracestate`) the event carries, so handling the event continues the
 * request's trace. Works on the structured JSON form and on the Event Grid SDK's form (extensions
 * under `extensionAttributes`).
 */
import { ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import type { TraceContext } from '../../application/workflow/trace';
import { inSpan } from './spans';
import { contextFrom } from './tracing';

export interface TracedCloudEvent {
  id: string;
  type: string;
  source: string;
  subject?: string;
  traceparent?: unknown;
  tracestate?: unknown;
  extensionAttributes?: Record<string, unknown>;
}

export function traceContextOfCloudEvent(event: TracedCloudEvent): TraceContext | undefined {
  const traceparent = event.traceparent ?? event.extensionAttributes?.traceparent;
  const tracestate = event.tracestate ?? event.extensionAttributes?.tracestate;
  if (typeof traceparent !== 'string') return undefined;
  return { traceparent, ...(typeof tracestate === 'string' && tracestate ? { tracestate } : {}) };
}

/** Runs `handle` inside `process <subscription>`, a child of the span that sent the event. */
export function consumeCloudEvent<T>(event: TracedCloudEvent, subscription: string, handle: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(`process ${subscription}`, {
    kind: SpanKind.CONSUMER,
    parent: contextFrom(traceContextOfCloudEvent(event), ROOT_CONTEXT),
    attributes: {
      'messaging.system': 'eventgrid',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.subscription.name': subscription,
      'messaging.message.id': event.id,
      'cloudevents.event_id': event.id,
      'cloudevents.event_type': event.type,
      'cloudevents.event_source': event.source,
      ...(event.subject ? { 'cloudevents.event_subject': event.subject } : {}),
    },
  }, handle);
}
