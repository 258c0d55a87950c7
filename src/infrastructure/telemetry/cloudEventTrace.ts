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

/**
 * Runs `handle` inside `process <subscription>`, a child of the span that sent the event. Anything
 * not shaped like a CloudEvent still runs (the handler decides what a poison event is), as a new trace.
 */
export function consumeCloudEvent<T>(
  event: unknown,
  subscription: string,
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Partial<TracedCloudEvent>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const attributes: Record<string, string> = {
    'messaging.system': 'eventgrid',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.subscription.name': subscription,
  };
  for (const [key, value] of [
    ['messaging.message.id', e.id],
    ['cloudevents.event_id', e.id],
    ['cloudevents.event_type', e.type],
    ['cloudevents.event_source', e.source],
    ['cloudevents.event_subject', e.subject],
  ] as const) {
    if (text(value)) attributes[key] = value as string;
  }
  return inSpan(
    `process ${subscription}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(traceContextOfCloudEvent(e as TracedCloudEvent), ROOT_CONTEXT),
      attributes,
    },
    handle,
  );
}
