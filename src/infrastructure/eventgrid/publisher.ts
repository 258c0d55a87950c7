/**
 * EventPublisher over the official `EventGridPublisherClient` (CloudEvent input schema).
 *
 * Validation is all-or-nothing: if any event's data breaks its JSON Schema, nothing is sent and
 * publish() throws a ValidationError. Such an event is a contract bug that no retry can fix, and
 * refusing the whole call (as Event Grid itself refuses a whole batch) makes it surface at once
 * instead of silently leaving a hole in the published stream.
 * Send failures, by contrast, are reported per event in PublishResult (never thrown), so the
 * caller can retry exactly the unpublished ids later; ids are stable, so a retry is a duplicate
 * at worst.
 */
import { AzureKeyCredential, EventGridPublisherClient, type CloudEvent as SdkCloudEvent } from '@azure/eventgrid';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { StoredEvent } from '../../domain/events';
import type { EventPublisher, PublishResult } from '../../application/ports';
import { ConfigurationError, ValidationError } from '../../application/errors';
import { isLoopbackUrl } from '../http/loopback';
import { validateEventData } from '../events/schemaRegistry';
import { toCloudEvent, type CloudEventOptions, type WorkflowCloudEvent } from './cloudEvent';
import { EVENT_GRID_LIMITS, jsonBytes, splitIntoBatches, type BatchLimits } from './batching';
import { classifyPublishError } from './failures';
import type { Attributes } from '@opentelemetry/api';
import { clientSpan, failSpan, SpanKind } from '../telemetry/spans';
import { traceContextOf } from '../telemetry/tracing';

export interface EventGridPublisherOptions extends CloudEventOptions {
  /** Topic endpoint ending in /api/events (setting EVENTGRID_TOPIC_ENDPOINT). */
  endpoint: string;
  /** Topic access key (EVENTGRID_TOPIC_KEY, local only). Without it a TokenCredential is used. */
  key?: string;
  /** Used when no key is given; defaults to DefaultAzureCredential. */
  credential?: TokenCredential;
  /** The SDK's own retry of 429/5xx/network errors inside one publish() (default: the SDK's 3 retries). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  limits?: Partial<BatchLimits>;
}

export class EventGridEventPublisher implements EventPublisher {
  private readonly client: EventGridPublisherClient<'CloudEvent'>;
  private readonly limits: BatchLimits;

  private readonly topic: string;
  private readonly spanAttributes: Attributes;

  constructor(private readonly options: EventGridPublisherOptions) {
    this.client = createClient(options);
    this.limits = { ...EVENT_GRID_LIMITS, ...options.limits };
    const url = new URL(options.endpoint);
    this.topic = isLoopbackUrl(options.endpoint) ? 'local-topic' : (url.hostname.split('.')[0] ?? url.hostname);
    this.spanAttributes = {
      'messaging.system': 'eventgrid',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': this.topic,
      'server.address': url.hostname,
      ...(url.port ? { 'server.port': Number(url.port) } : {}),
    };
  }

  async publish(events: StoredEvent[]): Promise<PublishResult> {
    const cloudEvents = events.map((e) => toCloudEvent(e, this.options));
    assertValid(cloudEvents);

    const result: PublishResult = { published: [], failed: [] };
    const { batches, oversized } = splitIntoBatches(cloudEvents, this.limits, jsonBytes);
    for (const { item, bytes } of oversized) {
      result.failed.push({
        eventId: item.id,
        error: `event ${item.type} is ${bytes} bytes, over Event Grid's ${this.limits.maxEventBytes}-byte limit per event`,
        retriable: false,
      });
    }
    // Sequential on purpose: batches of one stream go out in order, and one topic gains little
    // from parallel sends under its 5,000 events/s ingress cap.
    for (const batch of batches) {
      await clientSpan(
        `send ${this.topic}`,
        { ...this.spanAttributes, 'messaging.batch.message_count': batch.length },
        async (span) => {
          span.setAttribute('messaging.message.id', batch.map((e) => e.id).join(','));
          // Each CloudEvent carries the context of this send (CloudEvents distributed-tracing extension),
          // so a subscriber's span continues the request's trace.
          const tc = traceContextOf(span);
          const sent = tc
            ? batch.map((e) => ({
                ...e,
                traceparent: tc.traceparent,
                ...(tc.tracestate ? { tracestate: tc.tracestate } : {}),
              }))
            : batch;
          try {
            await this.client.send(sent.map(toSdkCloudEvent));
            result.published.push(...batch.map((e) => e.id));
          } catch (e) {
            const failure = classifyPublishError(e);
            failSpan(span, e);
            result.failed.push(...batch.map((ev) => ({ eventId: ev.id, ...failure })));
          }
        },
        SpanKind.PRODUCER,
      );
    }
    return result;
  }
}

function createClient(options: EventGridPublisherOptions): EventGridPublisherClient<'CloudEvent'> {
  const { endpoint } = options;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigurationError(`EVENTGRID_TOPIC_ENDPOINT is not a URL: '${endpoint}'`, ['EVENTGRID_TOPIC_ENDPOINT']);
  }
  const insecure = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !insecure) {
    throw new ConfigurationError(`EVENTGRID_TOPIC_ENDPOINT must be https: '${endpoint}'`, ['EVENTGRID_TOPIC_ENDPOINT']);
  }
  if (insecure && !isLoopbackUrl(endpoint)) {
    throw new ConfigurationError(
      `EVENTGRID_TOPIC_ENDPOINT uses plain http for a non-loopback host (${url.hostname}); http is allowed only for a local topic on loopback`,
      ['EVENTGRID_TOPIC_ENDPOINT'],
    );
  }
  if (insecure && options.key === undefined) {
    // The SDK refuses bearer tokens over http; say so up front, in our words.
    throw new ConfigurationError('a local http topic needs EVENTGRID_TOPIC_KEY (tokens are sent only over https)', [
      'EVENTGRID_TOPIC_KEY',
    ]);
  }
  const credential =
    options.key !== undefined
      ? new AzureKeyCredential(options.key)
      : (options.credential ?? new DefaultAzureCredential());
  // The SDK's Node HTTP client keeps its agent alive per client; one client per publisher reuses it.
  return new EventGridPublisherClient(endpoint, 'CloudEvent', credential, {
    allowInsecureConnection: insecure,
    retryOptions: options.retryOptions,
  });
}

function assertValid(events: WorkflowCloudEvent[]): void {
  for (const e of events) {
    const check = validateEventData(e.type, e.data);
    if (!check.ok) {
      const field = firstField(check.errors);
      throw new ValidationError(
        `event ${e.id} of type ${e.type} does not match its schema: ${check.errors.join('; ')}`,
        field,
      );
    }
  }
}

/** The registry's messages start with the JSON pointer of the field (e.g. "/attempt must be ..."). */
function firstField(errors: string[]): string | undefined {
  const m = /^(\/\S*)/.exec(errors[0] ?? '');
  return m ? m[1] : undefined;
}

function toSdkCloudEvent(e: WorkflowCloudEvent): SdkCloudEvent<unknown> {
  const extensionAttributes: Record<string, unknown> = {
    sequence: e.sequence,
    correlationid: e.correlationid,
    causationid: e.causationid,
  };
  if (e.traceparent !== undefined) extensionAttributes.traceparent = e.traceparent;
  if (e.tracestate !== undefined) extensionAttributes.tracestate = e.tracestate;
  return {
    id: e.id,
    source: e.source,
    type: e.type,
    subject: e.subject,
    time: new Date(e.time),
    datacontenttype: e.datacontenttype,
    dataschema: e.dataschema,
    data: e.data,
    extensionAttributes,
  };
}
