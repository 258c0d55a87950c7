import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { startEventGridTopic, type LocalTopic } from '@saga/devhost/localstack';
import { validateEventData } from '../../../src/infrastructure/events/schemaRegistry';

describe('local Event Grid topic', () => {
  let topic: LocalTopic;
  const sdk = (): EventGridPublisherClient<'CloudEvent'> =>
    new EventGridPublisherClient(topic.endpoint, 'CloudEvent', new AzureKeyCredential(topic.key), {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(topic.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents-batch+json; charset=utf-8',
        'aeg-sas-key': topic.key,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const valid = (id: string): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: '/t',
    type: 'workflow.request.completed.v1',
    data: { requestId: 'r1', outcome: 'Pass', completedAt: '2026-01-01T00:00:00.000Z' },
  });

  before(async () => {
    topic = await startEventGridTopic({ limits: { maxEvents: 5 }, validateData: validateEventData });
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
    const res = await fetch(topic.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: '[]',
    });
    expect(res.status).to.equal(401);
  });

  it('rejects the whole batch when one event has invalid data, naming the field', async () => {
    const bad = {
      ...valid('b2'),
      data: { requestId: 'r1', outcome: 'Maybe', completedAt: '2026-01-01T00:00:00.000Z' },
    };
    const res = await post([valid('b1'), bad]);
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('BadRequest');
    expect(body.error.message).to.contain('[1]').and.to.contain('/outcome');
    expect(topic.events()).to.have.length(0);
  });

  it('checks only the CloudEvents envelope when it is given no data validator', async () => {
    const plain = await startEventGridTopic({ key: 'k' });
    try {
      const bad = { ...valid('v1'), data: { outcome: 'Maybe' } };
      const res = await fetch(plain.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', 'aeg-sas-key': 'k' },
        body: JSON.stringify([bad]),
      });
      expect(res.status).to.equal(200);
      expect(plain.events().map((e) => e.id)).to.deep.equal(['v1']);
    } finally {
      await plain.stop();
    }
  });

  it('rejects an unknown type, a missing CloudEvents attribute and a non-array batch', async () => {
    const unknown = await post([{ ...valid('c1'), type: 'workflow.nope.v1' }]);
    expect(unknown.status).to.equal(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).to.contain(
      "unknown event type 'workflow.nope.v1'",
    );

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
    const big = {
      ...valid('d1'),
      data: {
        requestId: 'r1',
        outcome: 'Pass',
        completedAt: '2026-01-01T00:00:00.000Z',
        reason: 'x'.repeat(1_100_000),
      },
    };
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

  it('runs as its own process', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'devhost/localstack/eventGridTopic.ts', '--key', 'k1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { endpoint, key } = JSON.parse(line.toString()) as { endpoint: string; key: string };
      expect(key).to.equal('k1');
      const client = new EventGridPublisherClient(endpoint, 'CloudEvent', new AzureKeyCredential(key), {
        allowInsecureConnection: true,
      });
      await client.send([{ id: 's1', source: '/t', type: 'workflow.request.completed.v1', data: valid('x').data }]);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
