/**
 * The event contract as an AsyncAPI 3.0 document, generated from the schema registry (schemas/):
 * the server is the Event Grid topic over https (no Event Grid binding exists; POST to /api/events),
 * one channel per subject pattern (`requests/{requestId}`), one message per CloudEvent type with
 * content type application/cloudevents+json. Each message's payload is the CloudEvents envelope
 * whose `data` references the type's JSON Schema in components.schemas. Those copies drop `$schema`
 * and `$id` (the AsyncAPI parser reads payloads as draft-07 and would re-base references on `$id`);
 * `x-schema-url` keeps the canonical URL, which is also each event's `dataschema`.
 */
import { knownWireTypes, schemaOf, schemaUrlFor } from './schemaRegistry';

export interface AsyncApiOptions {
  /** Base URL the schemas are published under (EVENT_SCHEMA_BASE_URL). */
  schemaBaseUrl: string;
  /** Contract version: bump on every added type or version. */
  version?: string;
}

/** CloudEvents subject of every workflow event, as an AsyncAPI channel address. */
export const REQUEST_CHANNEL_ADDRESS = 'requests/{requestId}';

export function asyncApiDocument(opts: AsyncApiOptions): Record<string, unknown> {
  const types = knownWireTypes();
  const key = (type: string): string => type.replace(/\./g, '_');
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { CloudEventEnvelope: envelopeSchema() };
  for (const type of types) {
    const { $schema: _s, $id: _i, ...schema } = schemaOf(type) as Record<string, unknown>;
    void _s;
    void _i;
    schemas[key(type)] = { ...schema, 'x-schema-url': schemaUrlFor(type, opts.schemaBaseUrl) };
    messages[key(type)] = {
      name: type,
      title: String(schema.title ?? type),
      summary: String(schema.description ?? ''),
      contentType: 'application/cloudevents+json',
      payload: {
        allOf: [
          { $ref: '#/components/schemas/CloudEventEnvelope' },
          {
            type: 'object',
            required: ['type', 'dataschema', 'data'],
            properties: {
              type: { const: type },
              dataschema: { const: schemaUrlFor(type, opts.schemaBaseUrl) },
              data: { $ref: `#/components/schemas/${key(type)}` },
            },
          },
        ],
      },
      examples: ((schema.examples as unknown[]) ?? []).slice(0, 1).map((data) => ({
        name: `${key(type)}_example`,
        payload: {
          specversion: '1.0',
          id: 'example-id',
          source: '/workflow/requests',
          type,
          subject: 'requests/req-1',
          time: '2025-01-01T00:00:00.000Z',
          datacontenttype: 'application/json',
          dataschema: schemaUrlFor(type, opts.schemaBaseUrl),
          sequence: '0000000000000001',
          data,
        },
      })),
    };
  }
  const messageRefs = Object.fromEntries(types.map((t) => [key(t), { $ref: `#/components/messages/${key(t)}` }]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Work-item workflow events',
      version: opts.version ?? '1.0.0',
      description:
        "Every fact of a request's life as a CloudEvent 1.0 on an Event Grid custom topic. Delivery is at least once and unordered: dedupe by `id`, order per `subject` by `sequence` (a zero-padded stream version), and fill gaps from GET /api/requests/{id}/events?fromVersion=.",
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      eventGridTopic: {
        host: '{topicName}.{region}-1.eventgrid.azure.net',
        pathname: '/api/events',
        protocol: 'https',
        description:
          'Event Grid Basic custom topic (input schema CloudEventSchemaV1_0). Subscribers receive events through Event Grid subscriptions.',
        variables: {
          topicName: { description: 'The topic resource name.' },
          region: { description: 'The Azure region, e.g. westeurope.' },
        },
      },
    },
    channels: {
      requests: {
        address: REQUEST_CHANNEL_ADDRESS,
        description: 'Events of one request; the CloudEvents subject.',
        parameters: { requestId: { description: 'The request id (stream id, orchestration instance id).' } },
        messages: messageRefs,
      },
    },
    operations: {
      publishRequestEvents: {
        action: 'send',
        title: 'The workflow publishes each request event',
        channel: { $ref: '#/channels/requests' },
        messages: types.map((t) => ({ $ref: `#/channels/requests/messages/${key(t)}` })),
        bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
      },
    },
    components: { schemas, messages },
  };
}

function envelopeSchema(): Record<string, unknown> {
  const str = (description: string): Record<string, unknown> => ({ type: 'string', description });
  return {
    type: 'object',
    description: 'CloudEvents 1.0 structured-mode envelope as the workflow publishes it.',
    required: [
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'dataschema',
      'sequence',
      'data',
    ],
    properties: {
      specversion: { const: '1.0' },
      id: str('Stable per stored event: a redelivery or replay carries the same id.'),
      source: str('The producing app (EVENT_SOURCE).'),
      type: str('The event type, versioned (.v1).'),
      subject: { type: 'string', pattern: '^requests/.+$', description: 'requests/{requestId}.' },
      time: { type: 'string', format: 'date-time', description: 'When it happened (orchestration time).' },
      datacontenttype: { const: 'application/json' },
      dataschema: { type: 'string', format: 'uri', description: 'The JSON Schema of data.' },
      sequence: {
        type: 'string',
        pattern: '^[0-9]{16}$',
        description: 'Stream version, zero-padded (CloudEvents sequence extension).',
      },
      correlationid: str('Correlation id of the request.'),
      causationid: str('Id of what caused this event.'),
      traceparent: str('W3C trace context (CloudEvents distributed tracing extension), when traced.'),
      data: { type: 'object' },
    },
  };
}
