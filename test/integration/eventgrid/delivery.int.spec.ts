/**
 * The local topic's push delivery against real servers: a webhook destination on loopback (what it
 * answers is scripted per test), dead-letters in Azurite blobs, figures over HTTP. The retry
 * schedule is compressed 1000x (10 s -> 10 ms, 30 s -> 30 ms, 1 min -> 60 ms, 5 min -> 300 ms ...)
 * and so is the time to live (1 min -> 60 ms).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import {
  startAzurite,
  type AzuriteServers,
  startEventGridTopic,
  type LocalTopic,
  readDeadLetters,
  parseSubscriptions,
} from '@saga/devhost/localstack';

interface Hook {
  url: string;
  /** Requests received: method, headers and parsed body. */
  calls: { method: string; headers: IncomingMessage['headers']; body: Record<string, unknown> | undefined }[];
  /** Decides each POST's status (default 200). */
  answer: (event: Record<string, unknown>, attempt: number) => number;
  /** OPTIONS answer: echo the origin (default) or not. */
  handshake: 'echo' | 'none';
  server: Server;
}

async function startHook(): Promise<Hook> {
  const hook = { calls: [], answer: () => 200, handshake: 'echo' } as unknown as Hook;
  const attempts = new Map<string, number>();
  hook.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      hook.calls.push({ method: req.method ?? '', headers: req.headers, body });
      if (req.method === 'OPTIONS') {
        const origin = req.headers['webhook-request-origin'];
        res
          .writeHead(
            200,
            hook.handshake === 'echo' && typeof origin === 'string' ? { 'WebHook-Allowed-Origin': origin } : {},
          )
          .end();
        return;
      }
      const id = String(body?.id);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const status = hook.answer(body ?? {}, n);
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status === 400 ? `poison: ${id} cannot be processed` : '');
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', () => r()));
  hook.url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hook`;
  return hook;
}

const event = (id: string, subject = 'requests/r1'): Record<string, unknown> => ({
  id,
  source: '/t',
  type: 'workflow.request.completed.v1',
  subject,
  sequence: '0000000000000001',
  data: { requestId: 'r1', outcome: 'Pass', completedAt: '2026-01-01T00:00:00.000Z' },
});

describe('local Event Grid delivery to subscriptions', function () {
  this.timeout(30_000);
  let azurite: AzuriteServers;
  let hook: Hook;
  let topic: LocalTopic | undefined;

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });
  beforeEach(async () => {
    hook = await startHook();
  });
  afterEach(async () => {
    await topic?.stop();
    topic = undefined;
    hook.server.closeAllConnections();
    await new Promise((r) => hook.server.close(r));
  });

  async function start(sub: Record<string, unknown>, container?: string): Promise<LocalTopic> {
    const subscriptions = parseSubscriptions({
      subscriptions: [
        {
          name: 'test-sub',
          destination: { endpointType: 'WebHook', endpointUrl: hook.url },
          eventDeliverySchema: 'CloudEventSchemaV1_0',
          ...(container
            ? { deadLetterDestination: { endpointType: 'StorageBlob', blobContainerName: container } }
            : {}),
          ...sub,
        },
      ],
    });
    topic = await startEventGridTopic({ subscriptions, deadLetterStorage: azurite.connectionString, timeScale: 0.001 });
    return topic;
  }

  const send = (t: LocalTopic, events: Record<string, unknown>[]): Promise<void> =>
    new EventGridPublisherClient(t.endpoint, 'CloudEvent', new AzureKeyCredential(t.key), {
      allowInsecureConnection: true,
    }).send(events.map(({ sequence, ...e }) => ({ ...e, extensionAttributes: { sequence } })) as never);

  it('validates a webhook with the CloudEvents handshake, then delivers each event alone in structured mode', async () => {
    const t = await start({});
    await send(t, [event('a1'), event('a2')]);
    await t.delivery!.idle();
    expect(hook.calls[0]).to.deep.include({ method: 'OPTIONS' });
    expect(hook.calls[0]!.headers['webhook-request-origin']).to.equal('eventgrid.azure.net');
    const posts = hook.calls.filter((c) => c.method === 'POST');
    expect(posts.map((p) => p.body?.id)).to.have.members(['a1', 'a2']);
    expect(posts[0]!.headers['content-type']).to.match(/^application\/cloudevents\+json/);
    expect(posts[0]!.headers['aeg-event-type']).to.equal('Notification');
    expect(posts[0]!.body).to.include({ specversion: '1.0', subject: 'requests/r1', sequence: '0000000000000001' });
  });

  it('does not deliver to a webhook that fails the handshake; the events dead-letter when attempts run out', async () => {
    hook.handshake = 'none';
    const t = await start({ retryPolicy: { maxDeliveryAttempts: 2 } }, 'dl-handshake');
    await send(t, [event('h1')]);
    await t.delivery!.idle();
    expect(hook.calls.filter((c) => c.method === 'POST')).to.have.length(0);
    const [dl] = t.delivery!.deadLettered();
    expect(dl).to.include({ reason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 2 });
    expect(dl!.lastDeliveryOutcome).to.match(/Validation handshake failed: WebHook-Allowed-Origin is missing/);
  });

  it('filters: only matching events are delivered', async () => {
    const t = await start({
      filter: {
        subjectBeginsWith: 'requests/keep',
        advancedFilters: [{ operatorType: 'StringIn', key: 'data.outcome', values: ['Pass'] }],
      },
    });
    await send(t, [event('f1', 'requests/keep-1'), event('f2', 'requests/drop-1')]);
    await t.delivery!.idle();
    expect(hook.calls.filter((c) => c.method === 'POST').map((c) => c.body?.id)).to.deep.equal(['f1']);
    expect(t.delivery!.metrics()[0]).to.include({ matched: 1, delivered: 1 });
  });

  it('retries 500s and timeouts on the (compressed) schedule until the destination takes the event', async () => {
    hook.answer = (_e, attempt) => (attempt < 4 ? 500 : 200);
    const t = await start({}, 'dl-retry');
    await send(t, [event('r1')]);
    await t.delivery!.idle();
    const posts = hook.calls.filter((c) => c.method === 'POST');
    expect(posts).to.have.length(4);
    expect(posts.map((p) => p.headers['aeg-delivery-count'])).to.deep.equal(['0', '1', '2', '3']);
    expect(t.delivery!.metrics()[0]).to.include({
      delivered: 1,
      attempts: 4,
      retried: 3,
      failedAttempts: 3,
      deadLettered: 0,
    });
  });

  it('dead-letters a 400 at once, in the dead-letter blob layout with the reason, and delivers the others', async () => {
    hook.answer = (e) => (e.id === 'poison' ? 400 : 200);
    const t = await start({}, 'dl-poison');
    await send(t, [event('ok1'), event('poison'), event('ok2')]);
    await t.delivery!.idle();
    expect(hook.calls.filter((c) => c.method === 'POST' && c.body?.id === 'poison')).to.have.length(1);
    const blobs = await readDeadLetters(azurite.connectionString, 'dl-poison');
    expect(blobs).to.have.length(1);
    expect(blobs[0]!.path).to.match(/^TEST-SUB\/\d{4}\/\d{1,2}\/\d{1,2}\/\d{1,2}\/[0-9a-f-]{36}\.json$/);
    expect(blobs[0]!.entries[0]).to.include({
      id: 'poison',
      deadLetterReason: 'NonRetriableStatus',
      deliveryAttempts: 1,
      lastHttpStatusCode: 400,
    });
    expect(String(blobs[0]!.entries[0]!.lastDeliveryOutcome)).to.contain('poison: poison cannot be processed');
    const figures = (await (await fetch(new URL('/metrics/subscriptions', t.endpoint))).json()) as {
      subscriptions: Record<string, unknown>[];
    };
    expect(figures.subscriptions[0]).to.include({
      subscription: 'test-sub',
      matched: 3,
      delivered: 2,
      deadLettered: 1,
      pending: 0,
    });
  });

  it('dead-letters after maxDeliveryAttempts, and when the time to live runs out first', async () => {
    hook.answer = () => 503;
    const t = await start({ retryPolicy: { maxDeliveryAttempts: 3, eventTimeToLiveInMinutes: 1440 } }, 'dl-max');
    await send(t, [event('m1')]);
    await t.delivery!.idle();
    expect(t.delivery!.deadLettered()[0]).to.include({
      reason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: 3,
      lastHttpStatusCode: 503,
    });
    await t.stop();
    // 1 min TTL compressed to 60 ms: the 5-minute retry slot (after the 3rd failure) is past it.
    const t2 = await start({ retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1 } }, 'dl-ttl');
    await send(t2, [event('m2')]);
    await t2.delivery!.idle();
    const [dl] = t2.delivery!.deadLettered();
    expect(dl).to.include({ reason: 'TimeToLiveExceeded', lastHttpStatusCode: 503 });
    expect(dl!.deliveryAttempts).to.be.within(1, 4);
    expect((await readDeadLetters(azurite.connectionString, 'dl-ttl'))[0]!.entries[0]).to.include({
      id: 'm2',
      deadLetterReason: 'TimeToLiveExceeded',
    });
  });

  it('drops an undeliverable event when no dead-letter destination is configured', async () => {
    hook.answer = () => 413;
    const t = await start({});
    await send(t, [event('d1')]);
    await t.delivery!.idle();
    expect(t.delivery!.metrics()[0]).to.include({ dropped: 1, deadLettered: 0, attempts: 1 });
  });

  it('refuses to start with a subscriptions file naming an unknown destination, and says which field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subs-'));
    const file = join(dir, 'subscriptions.json');
    writeFileSync(
      file,
      JSON.stringify({
        subscriptions: [
          {
            name: 'bad-sub',
            eventDeliverySchema: 'CloudEventSchemaV1_0',
            destination: { endpointType: 'EventHub', resourceId: 'x' },
          },
        ],
      }),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'devhost/localstack/eventGridTopic.ts', '--subscriptions', file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(1);
    expect(stderr).to.contain('subscriptions[0].destination.endpointType: unknown destination "EventHub"');
  });
});
