/**
 * The subscriber (subscriber/, in its own devhost process) behind the local topic, with the workflow
 * app running for real (its events, its GET /api/requests/{id}/events for gap filling). Event Grid's
 * retry schedule and time to live run 200x compressed here (10 s -> 50 ms, 30 s -> 150 ms,
 * 1 min -> 300 ms, 5 min -> 1.5 s, 10 min -> 3 s, 30 min -> 9 s), so an outage that lasts the whole
 * workflow run (several seconds) stands for many minutes of Azure time, well past 60 s.
 */
import { expect } from 'chai';
import { TableClient } from '@azure/data-tables';
import { cancelWhenPolling, demoItems, seed, type DemoItem } from '../../localdev/demo/demoRun';
import {
  parseSubscriptions,
  readSubscriptionsFile,
  readDeadLetters,
  startEventGridTopic,
  type LocalTopic,
} from '@saga/devhost/localstack';
import { subscriptionsFilePath } from '../../localdev/demo/localStack';
import type { ProcessHost } from '@saga/devhost';
import { checkSubscriber, waitForDeliveries } from '../../localdev/demo/subscriberCheck';
import { SUBSCRIBER_APP, startSubscriberHost } from '../../localdev/demo/subscriberHost';
import { readAll } from '../../src/application/ports';
import { toCloudEvent } from '../../src/infrastructure/eventgrid/cloudEvent';
import { TABLES } from '../../subscriber/src/tableStore';
import { problemsText, startRig, waitTerminal, type Rig } from './harness';

const TIME_SCALE = 0.005;

/** Publishes CloudEvents exactly as the app's publisher sends them (a batch, structured JSON). */
async function publish(topic: LocalTopic, events: unknown[]): Promise<void> {
  const res = await fetch(topic.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8', 'aeg-sas-key': topic.key },
    body: JSON.stringify(events),
  });
  if (res.status !== 200) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
}

describe('reliability: the subscriber behind Event Grid delivery', function () {
  this.timeout(300_000);
  let rig: Rig;
  let subscriber: ProcessHost;
  let items: DemoItem[];
  let ids: string[];
  const extraTopics: LocalTopic[] = [];

  before(async () => {
    rig = await startRig({
      stack: { subscriptions: readSubscriptionsFile(subscriptionsFilePath()), deliveryTimeScale: TIME_SCALE },
    });
    subscriber = await startSubscriberHost(rig.stack, { workflowUrl: rig.host.url });
    // Every scenario that ends on its own (no wait for the deadline), plus an operator cancel.
    items = demoItems(4, 'sub').filter((i) => i.expected !== 'Quarantined');
    ids = items.map((i) => i.id);
  });
  after(async () => {
    for (const t of extraTopics) await t.stop();
    await subscriber?.stop().catch(() => undefined);
    await rig?.stop();
  });

  const figures = (): NonNullable<LocalTopic['delivery']> => rig.stack.topic.delivery!;
  const readModel = async (id: string): Promise<unknown> =>
    ((await (await fetch(`${subscriber.url}/api/readmodel/requests/${id}`)).json()) as { summary: unknown }).summary;

  it('subscriber down for the whole run, then back: every event delivered, none lost; a full replay is absorbed', async () => {
    await subscriber.kill();
    await seed(items, rig.host.url, rig.table);
    await cancelWhenPolling(items, rig.host.url);
    await waitTerminal(rig, items, 120_000);
    const during = figures().metrics()[0]!;
    expect(during.failedAttempts, 'deliveries failed while the subscriber was down').to.be.greaterThan(0);
    expect(during.pending, 'events wait for the subscriber').to.be.greaterThan(0);

    await subscriber.restart();
    rig.stack.topic.attachFunctionApp(SUBSCRIBER_APP, subscriber.url);
    expect(await waitForDeliveries(figures(), 120_000), 'everything delivered after the outage').to.equal(true);
    const after = figures().metrics()[0]!;
    const check = await checkSubscriber(ids, rig.services, subscriber.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(after).to.include({ deadLettered: 0, dropped: 0, pending: 0, delivered: check.events });
    expect(after.retried).to.be.greaterThan(0);

    // Duplicates: replay every request (same CloudEvent ids); the inbox applies none of them twice.
    for (const id of ids) {
      const res = await fetch(`${rig.host.url}/api/events/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requestId: id }),
      });
      expect(res.status, await res.clone().text()).to.equal(200);
    }
    expect(await waitForDeliveries(figures(), 60_000)).to.equal(true);
    expect(figures().metrics()[0]!.delivered).to.equal(2 * check.events);
    const again = await checkSubscriber(ids, rig.services, subscriber.url);
    expect(again.problems, problemsText(again.problems)).to.deep.equal([]);
  });

  it('events delivered out of order: the read model ends the same as in order', async () => {
    const inOrder = new Map<string, unknown>();
    for (const id of ids) inOrder.set(id, await readModel(id));
    const day = (await (
      await fetch(
        `${subscriber.url}/api/readmodel/daily?day=${String((inOrder.get(ids[0]!) as { completedAt: string }).completedAt).slice(0, 10)}`,
      )
    ).json()) as unknown;

    // A fresh read model: drop the subscriber's tables, restart it (it creates them again).
    await subscriber.kill();
    for (const name of Object.values(TABLES))
      await TableClient.fromConnectionString(rig.stack.azurite.connectionString, name, {
        allowInsecureConnection: true,
      }).deleteTable();
    await subscriber.restart();

    // A second topic delivering to the subscriber's trigger, fed newest-first, one event at a time.
    const [sub] = readSubscriptionsFile(subscriptionsFilePath());
    const topic = await startEventGridTopic({ subscriptions: [sub!], timeScale: TIME_SCALE });
    extraTopics.push(topic);
    topic.attachFunctionApp(SUBSCRIBER_APP, subscriber.url);
    const streams = await Promise.all(ids.map((id) => readAll(rig.services.eventStore, id)));
    const reversed = streams.flatMap((s) => [...s].reverse()).sort((a, b) => b.version - a.version);
    for (const e of reversed) await publish(topic, [toCloudEvent(e, rig.services.config.eventGrid)]);
    expect(await waitForDeliveries(topic.delivery, 60_000)).to.equal(true);
    for (const id of ids) expect(await readModel(id), id).to.deep.equal(inOrder.get(id));
    const dayAfter = (await (
      await fetch(`${subscriber.url}/api/readmodel/daily?day=${(day as { day: string }).day}`)
    ).json()) as unknown;
    expect(dayAfter).to.deep.equal(day);
    const check = await checkSubscriber(ids, rig.services, subscriber.url);
    expect(check.problems, problemsText(check.problems)).to.deep.equal([]);
    expect(topic.delivery!.metrics()[0]).to.include({ delivered: reversed.length, deadLettered: 0 });
  });

  it('a poison event is answered 400 and dead-lettered with its reason; the others are delivered', async () => {
    const [subscription] = parseSubscriptions({
      subscriptions: [
        {
          name: 'webhook-subscriber',
          destination: { endpointType: 'WebHook', endpointUrl: `${subscriber.url}/api/events` },
          eventDeliverySchema: 'CloudEventSchemaV1_0',
          retryPolicy: { maxDeliveryAttempts: 5 },
          deadLetterDestination: { endpointType: 'StorageBlob', blobContainerName: 'poison-deadletter' },
        },
      ],
    });
    const topic = await startEventGridTopic({
      subscriptions: [subscription!],
      deadLetterStorage: rig.stack.azurite.connectionString,
      timeScale: TIME_SCALE,
    });
    extraTopics.push(topic);
    const good = (await readAll(rig.services.eventStore, ids[0]!)).map((e) =>
      toCloudEvent(e, rig.services.config.eventGrid),
    );
    const poison = { ...good[good.length - 1]!, id: 'poison-1', sequence: 'not-a-position' };
    await publish(topic, [good[0]!, poison, ...good.slice(1)]);
    expect(await waitForDeliveries(topic.delivery, 60_000)).to.equal(true);
    expect(topic.delivery!.metrics()[0]).to.include({
      matched: good.length + 1,
      delivered: good.length,
      deadLettered: 1,
      dropped: 0,
    });
    const blobs = await readDeadLetters(rig.stack.azurite.connectionString, 'poison-deadletter');
    expect(blobs).to.have.length(1);
    const entry = blobs[0]!.entries[0]!;
    expect(entry).to.include({
      id: 'poison-1',
      deadLetterReason: 'NonRetriableStatus',
      lastHttpStatusCode: 400,
      deliveryAttempts: 1,
    });
    expect(String(entry.lastDeliveryOutcome)).to.match(/Bad Request: .*not-a-position.* is not a stream position/);
  });
});
