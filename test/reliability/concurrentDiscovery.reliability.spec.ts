import { expect } from 'chai';
import { checkStream, demoItems, seed, sleep } from '../../localdev/demo/demoRun';
import { readAll } from '../../src/application/ports';
import { problemsText, size, startRig, waitTerminal, type Rig } from './harness';

/**
 * Many discoveries run at once (HTTP plus the timer) while rows keep arriving in the intake table:
 * each work item is started once and its stream holds no duplicate events.
 */
describe('reliability: concurrent discoveries', function () {
  this.timeout(size(600_000, 150_000));
  let rig: Rig | undefined;

  after(async () => rig?.stop());

  it('starts every row once and records no duplicate events', async () => {
    rig = await startRig();
    const r = rig;
    const all = demoItems(size(100, 16, 'ITEMS'), 'race').filter((i) => !i.cancel && !i.malformed);
    const items = all
      .map((i) => ({ ...i, via: 'table' as const }))
      .filter((i) => i.scenario === 'pass' || i.scenario === 'fail');
    const parallel = size(16, 6, 'RACERS');
    let adding = true;
    const answers: number[] = [];
    const discover = async (): Promise<void> => {
      for (let round = 0; adding || round < 3; round++) {
        const res = await fetch(`${r.host.url}/api/discover`, { method: 'POST' });
        answers.push(res.status);
        await res.arrayBuffer();
      }
    };
    const racers = Array.from({ length: parallel }, () => discover());
    for (const item of items) {
      await seed([item], r.host.url, r.table);
      await sleep(20);
    }
    adding = false;
    await Promise.all(racers);
    await waitTerminal(r, items, size(540_000, 120_000));

    const problems: string[] = [];
    const received = r.stack.topic.eventsById();
    for (const item of items) {
      const stream = await readAll(r.services.eventStore, item.id);
      problems.push(...checkStream(item, stream));
      for (const e of stream)
        if (!received.has(e.eventId)) problems.push(`${item.id}: ${e.eventId} never reached the topic`);
    }
    expect(problems, problemsText(problems)).to.deep.equal([]);
    expect(
      answers.filter((s) => s !== 200),
      'every discover call succeeds',
    ).to.deep.equal([]);
    expect(answers.length).to.be.at.least(parallel * 3);
  });
});
