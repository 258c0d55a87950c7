import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { measuredFrom, parseCostArgs, parseDuration, report } from '../../../bench/cost/cli';
import {
  breakEvenActionPrice,
  costDesigns,
  pollTimes,
  type Measured,
  type Prices,
  type Scenario,
} from '../../../bench/cost/model';

const PRICES = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'bench', 'cost', 'prices.json'), 'utf8')) as {
    prices: Prices;
  }
).prices;
const MEASURED: Measured = {
  from: 'test',
  polls: 4,
  episodes: 14,
  activities: 8,
  eventsPublished: 6,
  cosmosReads: 9,
  cosmosWrites: 12,
  intakeTransactions: 3,
};
const scenario = (meanJobSeconds: number, over: Partial<Scenario> = {}): Scenario => ({
  meanJobSeconds,
  distribution: 'fixed',
  poll: { initialSeconds: 15, factor: 2, maxSeconds: 300 },
  subscribers: 1,
  timerPollSeconds: 300,
  concurrency: 4,
  instanceMemoryGb: 2,
  staleClaimSeconds: 300,
  ...over,
});
const confirmedPrices = (): Prices =>
  Object.fromEntries(Object.entries(PRICES).map(([k, p]) => [k, { ...p, status: 'confirmed' }])) as Prices;

describe('cost model (npm run cost)', () => {
  it('polls with backoff until the first poll at or after the job ends', () => {
    expect(pollTimes({ initialSeconds: 15, factor: 2, maxSeconds: 300 }, 120)).to.deep.equal([15, 45, 105, 225]);
    const twoHours = pollTimes({ initialSeconds: 15, factor: 2, maxSeconds: 300 }, 7200);
    expect(twoHours.slice(0, 6)).to.deep.equal([15, 45, 105, 225, 465, 765]);
    expect(twoHours.at(-1)).to.be.at.least(7200).and.below(7500);
  });

  it('reports detection latency: the backoff poll after the job ends, and on average half a tick for the 5-minute timer', () => {
    const [a, , c] = costDesigns(MEASURED, scenario(120), PRICES);
    expect(a!.detection.meanSeconds).to.equal(105);
    expect(c!.detection.meanSeconds).to.be.closeTo(150, 1);
    expect(c!.detection.p95Seconds).to.be.above(250).and.at.most(300);
  });

  it('costs more per item for longer jobs, in every design, because each poll is paid for', () => {
    const short = costDesigns(MEASURED, scenario(120), PRICES);
    const long = costDesigns(MEASURED, scenario(7200), PRICES);
    short.forEach((r, i) => expect(long[i]!.costPerMillion, r.name).to.be.above(r.costPerMillion));
    expect(long[2]!.polls).to.be.closeTo(7200 / 300 + 0.5, 1);
  });

  it('charges each extra external subscriber one Event Grid delivery per event', () => {
    const one = costDesigns(MEASURED, scenario(120), PRICES)[0]!;
    const three = costDesigns(MEASURED, scenario(120, { subscribers: 3 }), PRICES)[0]!;
    const perEvent = PRICES.eventGridPerMillionOperations.value;
    expect(three.parts.eventGrid! - one.parts.eventGrid!).to.be.closeTo(MEASURED.eventsPublished * 2 * perEvent, 1e-9);
  });

  it('charges this design a claim check at doubling intervals of the job, and the timer-poll design none', () => {
    const rare = costDesigns(MEASURED, scenario(7200, { staleClaimSeconds: 7200 }), PRICES);
    const often = costDesigns(MEASURED, scenario(7200, { staleClaimSeconds: 300 }), PRICES);
    const perTransaction = (PRICES.storageTransactionsPer10k.value / 1e4) * 1e6;
    // A 2-hour job: checks at 5, 10, 20, 40 and 80 minutes against none, each 2 intake transactions and 1 task-hub read.
    expect(often[0]!.parts.storage! - rare[0]!.parts.storage!).to.be.closeTo(5 * 3 * perTransaction, 1e-9);
    expect(often[2]!.costPerMillion).to.equal(rare[2]!.costPerMillion);
  });

  it('names the unconfirmed prices each result depends on, and none once all are confirmed', () => {
    const results = costDesigns(MEASURED, scenario(120), PRICES);
    expect(results[1]!.unconfirmed).to.include('durableTaskSchedulerConsumptionPerMillionActions');
    expect(results[0]!.unconfirmed).to.not.include('durableTaskSchedulerConsumptionPerMillionActions');
    expect(costDesigns(MEASURED, scenario(120), confirmedPrices()).every((r) => r.unconfirmed.length === 0)).to.equal(
      true,
    );
    const text = report(MEASURED, { ...parseCostArgs([]), durations: [120] }, PRICES).text;
    expect(text).to.include('durableTaskSchedulerConsumptionPerMillionActions: 3');
  });

  it('finds the Scheduler action price at which b costs what a does', () => {
    const results = costDesigns(MEASURED, scenario(600), PRICES);
    const price = breakEvenActionPrice(results, PRICES);
    const at = {
      ...PRICES,
      durableTaskSchedulerConsumptionPerMillionActions: {
        ...PRICES.durableTaskSchedulerConsumptionPerMillionActions,
        value: price,
      },
    };
    const [a, b] = costDesigns(MEASURED, scenario(600), at);
    expect(b!.costPerMillion).to.be.closeTo(a!.costPerMillion, 1e-6);
  });

  it('reads per-item counts from a bench result, and skips one without poll counts', () => {
    const bench = {
      machine: { date: '2026-11-29T00:00:00Z' },
      endToEnd: {
        items: 10,
        pollsPerWorkflow: 3,
        eventsPerWorkflow: 5.5,
        engine: { activitiesRun: 70, episodesPerWorkflow: 11 },
        requestsPerWorkflow: {
          'cosmos read (read)': 6,
          'cosmos batch (write)': 5,
          'cosmos replace (write)': 4,
          'tables intake query (read)': 1,
          'tables intake batch (write)': 2,
          'tables taskhub query (read)': 20,
          'eventgrid POST (write)': 5,
        },
      },
    };
    expect(measuredFrom('x.json', bench)).to.deep.include({
      polls: 3,
      episodes: 11,
      activities: 7,
      eventsPublished: 5.5,
      cosmosReads: 6,
      cosmosWrites: 9,
      intakeTransactions: 3,
    });
    expect(measuredFrom('x.json', { endToEnd: { ...bench.endToEnd, pollsPerWorkflow: undefined } })).to.equal(
      undefined,
    );
  });

  it('prices from the committed snapshot in a fresh clone (no bench-results yet)', () => {
    const snapshot = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'bench', 'cost', 'measured.json'), 'utf8'),
    ) as Measured;
    for (const key of [
      'polls',
      'episodes',
      'activities',
      'eventsPublished',
      'cosmosReads',
      'cosmosWrites',
      'intakeTransactions',
    ] as const)
      expect(snapshot[key], key).to.be.a('number').and.at.least(0);
    const { text, results } = report(snapshot, parseCostArgs([]), PRICES);
    expect([...results.keys()]).to.deep.equal([120, 7200]);
    expect(text).to.include(`Measured counts: ${snapshot.from}`);
    expect(
      text.match(/^\| 2 (min|h) \| [abc]\) [^|]+\| \*\*\$/gm),
      'a priced row per design and duration',
    ).to.have.length(6);
  });

  it('keeps a source, a date and a status with every price', () => {
    for (const [key, p] of Object.entries(PRICES)) {
      expect(p.value, key).to.be.a('number').and.above(0);
      expect(p.source, key).to.be.a('string').and.not.equal('');
      expect(p.retrieved, key).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(['confirmed', 'secondary', 'unconfirmed'], key).to.include(p.status);
    }
  });

  it('rejects a flag it does not know and a duration it cannot read', () => {
    expect(parseDuration('2h')).to.equal(7200);
    expect(parseCostArgs(['--durations', '90s,2m', '--subscribers', '0']).durations).to.deep.equal([90, 120]);
    expect(() => parseCostArgs(['--durations', 'soon'])).to.throw(/"soon" is not a duration/);
    expect(() => parseCostArgs(['--colour'])).to.throw(/unknown argument "--colour"/);
    expect(() => parseCostArgs(['--distribution', 'normal'])).to.throw(/fixed, exponential or uniform/);
  });
});
