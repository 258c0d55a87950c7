import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { startAzurite, type AzuriteServers } from '@saga/devhost/localstack';
import type { InboxEvent } from '../../../subscriber/src/events';
import { receive, type StreamSource } from '../../../subscriber/src/inbox';
import {
  ensureTables,
  readDay,
  readIntervention,
  readRequest,
  subscriberTables,
  tableInboxStore,
  type SubscriberTables,
} from '../../../subscriber/src/tableStore';

chai.use(chaiAsPromised);
const { expect } = chai;

/** One request's stream as the subscriber sees it; `source` serves gap fills from it and counts them. */
function stream(id: string): { events: InboxEvent[]; source: StreamSource; fills: number[] } {
  const e = (version: number, kind: InboxEvent['kind'], data: Record<string, unknown>): InboxEvent => ({
    id: `${id}-e${version}`,
    streamId: id,
    version,
    kind,
    data,
  });
  const events = [
    e(1, 'RequestDiscovered', { discoveredAt: '2026-03-01T10:00:00.000Z' }),
    e(2, 'SubmissionPrepared', { attempt: 1 }),
    e(3, 'JobSubmitted', { attempt: 1 }),
    e(4, 'SubmissionPrepared', { attempt: 2 }),
    e(5, 'CompensationFailed', { step: 'cancelJob', error: 'boom' }),
    e(6, 'RequestCompleted', { outcome: 'TimedOut', completedAt: '2026-03-01T10:00:42.000Z' }),
  ];
  const fills: number[] = [];
  return {
    events,
    fills,
    source: {
      read: async (streamId, from, to) => {
        fills.push(from);
        return events.filter((x) => x.streamId === streamId && x.version >= from && x.version <= to);
      },
    },
  };
}

describe('subscriber inbox (Azurite tables)', function () {
  this.timeout(30_000);
  let azurite: AzuriteServers;
  let tables: SubscriberTables;

  before(async () => {
    azurite = await startAzurite();
    tables = subscriberTables({ connectionString: azurite.connectionString });
    await ensureTables(tables);
  });
  after(async () => azurite?.stop());

  it('applies in order once, drops duplicates, and keeps the read model', async () => {
    const s = stream('in-order');
    const store = tableInboxStore(tables);
    for (const e of s.events) expect(await receive(e, store, s.source)).to.equal('applied');
    for (const e of s.events) expect(await receive(e, store, s.source)).to.equal('duplicate');
    const inbox = await readRequest(tables, 'in-order');
    expect(inbox.appliedVersion).to.equal(6);
    expect(inbox.seen.map((x) => x.id)).to.deep.equal(s.events.map((x) => x.id));
    expect(inbox.summary).to.deep.include({
      outcome: 'TimedOut',
      attempts: 2,
      needsIntervention: true,
      interventionReason: 'cancelJob failed: boom',
    });
    expect(await readDay(tables, '2026-03-01')).to.deep.include({
      day: '2026-03-01',
      requestId: 'in-order',
      outcome: 'TimedOut',
      durationMs: 42000,
      attempts: 2,
    });
    expect(await readIntervention(tables)).to.deep.include({
      requestId: 'in-order',
      reason: 'cancelJob failed: boom',
      outcome: 'TimedOut',
    });
    expect(s.fills).to.deep.equal([]);
  });

  it('fills a gap from the source at once instead of waiting, then treats the missing events as duplicates', async () => {
    const s = stream('gap');
    const store = tableInboxStore(tables);
    expect(await receive(s.events[5]!, store, s.source)).to.equal('gapFilled');
    expect(s.fills).to.deep.equal([1]);
    for (const e of s.events.slice(0, 5)) expect(await receive(e, store, s.source)).to.equal('duplicate');
    const inOrder = await readRequest(tables, 'in-order');
    const gap = await readRequest(tables, 'gap');
    expect({ ...gap.summary, requestId: 'x' }).to.deep.equal({ ...inOrder.summary, requestId: 'x' });
    expect(gap.seen.map((x) => x.version)).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('applies each event exactly once when every event arrives twice at the same time, in any order', async () => {
    const s = stream('racing');
    const store = tableInboxStore(tables);
    const deliveries = [...s.events, ...s.events].sort((a, b) => ((a.version * 7) % 5) - ((b.version * 7) % 5));
    const receipts = await Promise.all(deliveries.map((e) => receive(e, store, s.source)));
    expect(receipts.filter((r) => r !== 'duplicate').length).to.be.greaterThan(0);
    const inbox = await readRequest(tables, 'racing');
    expect(inbox.appliedVersion).to.equal(6);
    expect(inbox.seen.map((x) => x.version)).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('commits nothing when the source cannot fill the gap', async () => {
    const s = stream('broken');
    const store = tableInboxStore(tables);
    const empty: StreamSource = { read: async () => [] };
    await expect(receive(s.events[3]!, store, empty)).to.be.rejectedWith(/expected v1 while filling the gap, got v4/);
    expect((await readRequest(tables, 'broken')).appliedVersion).to.equal(0);
  });
});
