import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { startEventGridTopic, type LocalTopic } from '@saga/devhost/localstack';
import {
  EventGridEventPublisher,
  formatSequence,
  type EventGridPublisherOptions,
} from '../../../src/infrastructure/eventgrid';
import { ConfigurationError, ValidationError } from '../../../src/application/errors';
import type { StoredEvent } from '../../../src/domain/events';
import { WIRE_TYPES } from '../../../src/infrastructure/events/wireTypes';
import { validateEventData } from '../../../src/infrastructure/events/schemaRegistry';
import { ONE_OF_EACH, bulky, stored } from '../../unit/eventgrid/storedEvents';

use(chaiAsPromised);

const common = { source: '/workflow/requests', schemaBaseUrl: 'https://schemas.example.com/workflow/' };

describe('EventGridEventPublisher against the local topic', () => {
  let topic: LocalTopic;
  const publisher = (extra: Partial<EventGridPublisherOptions> = {}): EventGridEventPublisher =>
    new EventGridEventPublisher({
      ...common,
      endpoint: topic.endpoint,
      key: topic.key,
      retryOptions: { maxRetries: 0 },
      ...extra,
    });

  before(async () => {
    topic = await startEventGridTopic({ validateData: validateEventData });
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
    const error = await publisher()
      .publish([good!, broken])
      .then(
        () => expect.fail('publish should throw'),
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).message)
      .to.contain('workflow.job.statuschanged.v1')
      .and.to.contain('/attempt');
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
    const result = await publisher({
      retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    }).publish(events);

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
  const make = (endpoint: string, key?: string): EventGridEventPublisher =>
    new EventGridEventPublisher({ ...common, endpoint, key });

  it('refuses plain http to a non-loopback host, naming the setting', () => {
    for (const endpoint of [
      'http://10.0.0.5/api/events',
      'http://mytopic.westeurope-1.eventgrid.azure.net/api/events',
    ]) {
      expect(() => make(endpoint, 'k'), endpoint).to.throw(
        ConfigurationError,
        /EVENTGRID_TOPIC_ENDPOINT.*plain http.*non-loopback/,
      );
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
