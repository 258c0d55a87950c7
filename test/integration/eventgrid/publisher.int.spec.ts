import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { startEventGridTopic, type LocalTopic } from '../../../devhost/localstack/eventGridTopic';
import { EventGridEventPublisher, formatSequence, type EventGridPublisherOptions } from '../../../src/infrastructure/eventgrid';
import { ConfigurationError, ValidationError } from '../../../src/application/errors';
import type { StoredEvent } from '../../../src/domain/events';
import { WIRE_TYPES } from '../../../src/infrastructure/events/wireTypes';
import { ONE_OF_EACH, bulky, stored } from '../../unit/eventgrid/storedEvents';

use(chaiAsPromised);

const common = { source: '/workflow/requests', schemaBaseUrl: 'https://schemas.example.com/workflow/' };

describe('EventGridEventPublisher against the local topic', () => {
  let topic: LocalTopic;
  const publisher = (extra: Partial<EventGridPublisherOptions> = {}): EventGridEventPublisher =>
    new EventGridEventPublisher({ ...common, endpoint: topic.endpoint, key: topic.key, retryOptions: { maxRetries: 0 }, ...extra });

  before(async () => {
    topic = await startEventGridTopic();
  });
  after(async () => {
    await topic.stop();
  });
  beforeEach(() => {
    topic.clear();
    topic.failNext(0);
  });

  it('publishes every event type as a CloudEvent with the stored id and sequence', async () => {
    const events = stored(ONE_OF_EACH);
    const result = await publisher().publish(events);

    expect(result).to.deep.equal({ published: events.map((e) => e.eventId), failed: [] });
    const received = topic.events();
    expect(received.map((e) => e.id)).to.deep.equal(events.map((e) => e.eventId));
    for (const [i, e] of events.entries()) {
      expect(received[i]).to.deep.include({
        specversion: '1.0',
        type: WIRE_TYPES[e.type],
        source: '/workflow/requests',
        subject: 'requests/req-1',
        time: e.occurredAt,
        sequence: formatSequence(e.version),
        correlationid: e.metadata.correlationId,
        causationid: e.metadata.causationId,
        dataschema: `https://schemas.example.com/workflow/${WIRE_TYPES[e.type]}.json`,
        data: e.data,
      });
    }
  });

  it('sends the same CloudEvent id when an event is published again', async () => {
    const events = stored(ONE_OF_EACH.slice(0, 2));
    await publisher().publish(events);
    await publisher().publish(events);
    expect([...topic.eventsById().values()].map((copies) => copies.length)).to.deep.equal([2, 2]);
  });

  it('refuses a schema-invalid event before sending anything, naming the type and field', async () => {
    const [good, bad] = stored(ONE_OF_EACH.slice(2, 4));
    const broken = { ...bad!, data: { ...bad!.data, attempt: 'one' } } as unknown as StoredEvent;

    const requestsBefore = topic.stats().requests;
    const error = await publisher().publish([good!, broken]).then(
      () => expect.fail('publish should throw'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).message).to.contain('workflow.job.statuschanged.v1').and.to.contain('/attempt');
    expect((error as ValidationError).field).to.equal('/attempt');
    expect(topic.stats().requests).to.equal(requestsBefore);
    expect(topic.events()).to.have.length(0);
  });

  it('splits a large publish into several requests under the limits, and all events arrive', async () => {
    const events = bulky(1200, 2048);
    const before = topic.stats().requests;
    const result = await publisher().publish(events);

    expect(result.failed).to.deep.equal([]);
    expect(result.published).to.have.length(1200);
    expect(topic.stats().requests - before).to.be.greaterThan(2);
    expect(new Set(topic.events().map((e) => e.id))).to.have.property('size', 1200);
  });

  it('reports an event over the per-event limit as failed for good and still sends the rest', async () => {
    const [small] = bulky(1, 1000, 'small-1');
    const [huge] = bulky(1, 1_100_000, 'huge-1');
    const result = await publisher().publish([small!, huge!]);

    expect(result.published).to.deep.equal([small!.eventId]);
    expect(result.failed).to.have.length(1);
    expect(result.failed[0]).to.include({ eventId: huge!.eventId, retriable: false });
    expect(result.failed[0]!.error).to.match(/limit per event/);
  });

  for (const status of [503, 429] as const) {
    it(`reports a ${status} from the topic as a retriable failure of the batch`, async () => {
      topic.failNext(1, status);
      const events = stored(ONE_OF_EACH.slice(0, 3));
      const result = await publisher().publish(events);

      expect(result.published).to.deep.equal([]);
      expect(result.failed.map((f) => [f.eventId, f.retriable])).to.deep.equal(events.map((e) => [e.eventId, true]));
      expect(result.failed[0]!.error).to.contain(String(status));
      expect(topic.events()).to.have.length(0);
    });
  }

  it('gets through a brief outage with the SDK retry and publishes once', async () => {
    topic.failNext(2, 503);
    const events = stored(ONE_OF_EACH.slice(0, 2));
    const result = await publisher({ retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 20 } }).publish(events);

    expect(result.failed).to.deep.equal([]);
    expect(topic.events().map((e) => e.id)).to.deep.equal(events.map((e) => e.eventId));
  });

  it('reports a wrong key (401) as a non-retriable failure', async () => {
    const events = stored(ONE_OF_EACH.slice(0, 1));
    const result = await publisher({ key: 'wrong-key' }).publish(events);

    expect(result.failed).to.have.length(1);
    expect(result.failed[0]).to.include({ eventId: events[0]!.eventId, retriable: false });
    expect(result.failed[0]!.error).to.contain('401');
  });

  it('reports an unreachable topic as a retriable failure', async () => {
    const gone = await startEventGridTopic();
    await gone.stop();
    const result = await publisher({ endpoint: gone.endpoint }).publish(stored(ONE_OF_EACH.slice(0, 1)));
    expect(result.failed[0]).to.include({ retriable: true });
  });
});

describe('EventGridEventPublisher endpoint rules', () => {
  const make = (endpoint: string, key?: string): EventGridEventPublisher => new EventGridEventPublisher({ ...common, endpoint, key });

  it('refuses plain http to a non-loopback host, naming the setting', () => {
    for (const endpoint of ['http://10.0.0.5/api/events', 'http://mytopic.westeurope-1.eventgrid.azure.net/api/events']) {
      expect(() => make(endpoint, 'k'), endpoint).to.throw(ConfigurationError, /EVENTGRID_TOPIC_ENDPOINT.*plain http.*non-loopback/);
    }
  });

  it('refuses an http loopback topic without a key, since tokens need https', () => {
    expect(() => make('http://127.0.0.1:1/api/events')).to.throw(ConfigurationError, /EVENTGRID_TOPIC_KEY/);
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => make('not a url', 'k')).to.throw(ConfigurationError, /EVENTGRID_TOPIC_ENDPOINT is not a URL/);
    expect(() => make('ftp://127.0.0.1/api/events', 'k')).to.throw(ConfigurationError, /must be https/);
  });

  it('accepts https to a real topic host with a key (nothing is sent at construction)', () => {
    expect(() => make('https://mytopic.westeurope-1.eventgrid.azure.net/api/events', 'k')).not.to.throw();
  });
});

describe('local Event Grid topic', () => {
  let topic: LocalTopic;
  const sdk = (): EventGridPublisherClient<'CloudEvent'> =>
    new EventGridPublisherClient(topic.endpoint, 'CloudEvent', new AzureKeyCredential(topic.key), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(topic.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8', 'aeg-sas-key': topic.key, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const valid = (id: string): Record<string, unknown> => ({
    specversion: '1.0', id, source: '/t', type: 'workflow.request.completed.v1',
    data: { requestId: 'r1', outcome: 'Pass', completedAt: '2026-01-01T00:00:00.000Z' },
  });

  before(async () => {
    topic = await startEventGridTopic({ limits: { maxEvents: 5 } });
  });
  after(async () => {
    await topic.stop();
  });
  beforeEach(() => topic.clear());

  it('accepts what the official client sends', async () => {
    await sdk().send([{ id: 'a1', source: '/t', type: 'workflow.request.completed.v1', data: valid('x').data }]);
    expect(topic.events()[0]).to.include({ id: 'a1', specversion: '1.0', datacontenttype: 'application/json' });
  });

  it('answers 401 without the right key', async () => {
    expect((await post([valid('k1')], { 'aeg-sas-key': 'nope' })).status).to.equal(401);
    const res = await fetch(topic.endpoint, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: '[]' });
    expect(res.status).to.equal(401);
  });

  it('rejects the whole batch when one event has invalid data, naming the field', async () => {
    const bad = { ...valid('b2'), data: { requestId: 'r1', outcome: 'Maybe', completedAt: '2026-01-01T00:00:00.000Z' } };
    const res = await post([valid('b1'), bad]);
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('BadRequest');
    expect(body.error.message).to.contain('[1]').and.to.contain('/outcome');
    expect(topic.events()).to.have.length(0);
  });

  it('rejects an unknown type, a missing CloudEvents attribute and a non-array batch', async () => {
    const unknown = await post([{ ...valid('c1'), type: 'workflow.nope.v1' }]);
    expect(unknown.status).to.equal(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).to.contain("unknown event type 'workflow.nope.v1'");

    const { source: _source, ...noSource } = valid('c2');
    const missing = await post([noSource]);
    expect(missing.status).to.equal(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).to.contain('source');

    expect((await post(valid('c3'))).status).to.equal(400);
    expect((await post('{not json')).status).to.equal(400);
    expect(topic.events()).to.have.length(0);
  });

  it('answers 413 over the event count limit', async () => {
    const res = await post(['1', '2', '3', '4', '5', '6'].map(valid));
    expect(res.status).to.equal(413);
  });

  it('answers 413 for a request over 1 MB', async () => {
    const big = { ...valid('d1'), data: { requestId: 'r1', outcome: 'Pass', completedAt: '2026-01-01T00:00:00.000Z', reason: 'x'.repeat(1_100_000) } };
    expect((await post([big])).status).to.equal(413);
  });

  it('fails on request for a while and counts what happened', async () => {
    const before = topic.stats();
    topic.failFor(60_000, 500);
    expect((await post([valid('e1')])).status).to.equal(500);
    topic.failFor(0);
    topic.failNext(1, 429);
    expect((await post([valid('e2')])).status).to.equal(429);
    expect((await post([valid('e3')])).status).to.equal(200);
    const after = topic.stats();
    expect(after.requests - before.requests).to.equal(3);
    expect(after.rejected - before.rejected).to.equal(2);
    expect(after.accepted - before.accepted).to.equal(1);
  });

  it('announces its input schema like Event Grid', async () => {
    const res = await fetch(topic.endpoint, { method: 'OPTIONS' });
    expect(res.headers.get('aeg-input-event-schema')).to.equal('CloudEventSchemaV1_0');
  });
});
