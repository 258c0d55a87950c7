/**
 * `npm run bench -- --scale`: the cost-and-scale curve. End to end at each size (100, 1,000 and 5,000
 * items by default; `--scale-sizes` to choose), each in its own process, plus N instances in flight
 * at once on the memory store (bench/inFlight.ts, 10,000 by default). Per size: items/s, p95 latency,
 * peak RSS, RSS per in-flight instance, task-hub and Cosmos requests per workflow, and the cost per
 * million items (design a, 2-minute jobs) the cost model gives for that size's own counts, so a cost
 * per item that grows with load shows up as a growing column.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { measuredFrom } from './cost/cli';
import { costDesigns, type Prices } from './cost/model';
import { endToEndInChild, runChild } from './child';
import { round, type EndToEnd } from './endToEnd';
import { taskHubCounts } from './taskHubReads';

export interface ScaleRow {
  items: number;
  itemsPerSecond: number;
  latencyP95Ms: number;
  peakRssMb: number;
  rssKbPerInFlight: number;
  taskHub: { reads: number; writes: number };
  cosmos: { reads: number; writes: number };
  intake: number;
  eventGrid: number;
  episodesPerWorkflow: number;
  pollsPerWorkflow: number;
  costPerMillionA: number;
}

export interface InFlight {
  instances: number;
  running: number;
  secondsToFirstTimer: number;
  instancesPerSecond: number;
  cpuMsPerInstance: number;
  episodesPerInstance: number;
  rssMb: { before: number; peak: number; inFlightAfterGc: number };
  kbPerInFlightInstance: { rss: number; heap: number };
}

export interface Scale {
  rows: ScaleRow[];
  /** A tenth of the count, then the count, so CPU and memory per instance can be compared. */
  inFlight?: InFlight[];
  /** The largest size's full result (what npm run cost reads as the latest measurement). */
  largest?: EndToEnd;
}

const PRICES = (JSON.parse(readFileSync(path.join(__dirname, 'cost', 'prices.json'), 'utf8')) as { prices: Prices })
  .prices;

function row(e: EndToEnd): ScaleRow {
  const sum = (re: RegExp): number =>
    round(
      Object.entries(e.requestsPerWorkflow)
        .filter(([k]) => re.test(k))
        .reduce((a, [, v]) => a + v, 0),
      2,
    );
  const measured = measuredFrom(`scale-${e.items}`, { endToEnd: e })!;
  const [a] = costDesigns(
    measured,
    {
      meanJobSeconds: 120,
      distribution: 'exponential',
      poll: { initialSeconds: 15, factor: 2, maxSeconds: 300 },
      subscribers: 1,
      timerPollSeconds: 300,
      concurrency: 4,
      instanceMemoryGb: 2,
      staleClaimSeconds: 300,
    },
    PRICES,
  );
  return {
    items: e.items,
    itemsPerSecond: e.itemsPerSecond,
    latencyP95Ms: e.latencyMs.p95,
    peakRssMb: e.rssMb.peakInFlight,
    rssKbPerInFlight: round(((e.rssMb.peakInFlight - e.rssMb.before) * 1024) / e.items, 1),
    taskHub: taskHubCounts(e),
    cosmos: { reads: sum(/^cosmos .*\(read\)/), writes: sum(/^cosmos .*\(write\)/) },
    intake: sum(/^tables intake /),
    eventGrid: sum(/^eventgrid/),
    episodesPerWorkflow: e.engine.episodesPerWorkflow,
    pollsPerWorkflow: e.pollsPerWorkflow,
    costPerMillionA: round(a!.costPerMillion, 2),
  };
}

/** Each size as soon as it finishes, as a bench result of its own (npm run cost can read it), so a long run that is stopped keeps what it measured. */
function saveSize(e: EndToEnd): void {
  const dir = path.join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(
    path.join(dir, `${date.replace(/[:.]/g, '-')}-scale-${e.items}.json`),
    JSON.stringify({ machine: { date }, command: `npm run bench -- --scale (size ${e.items})`, endToEnd: e }, null, 2),
  );
}

export async function scale(sizes: number[], inFlightCount: number): Promise<Scale> {
  const rows: ScaleRow[] = [];
  let largest: EndToEnd | undefined;
  for (const items of sizes) {
    console.log(`scale: end to end with ${items} items...`);
    const e = await endToEndInChild(items, { floor: false });
    saveSize(e);
    rows.push(row(e));
    if (!largest || e.items > largest.items) largest = e;
  }
  const inFlight: InFlight[] = [];
  for (const n of inFlightCount > 0 ? [Math.max(1, Math.round(inFlightCount / 10)), inFlightCount] : []) {
    console.log(`scale: ${n} instances in flight on the memory store...`);
    inFlight.push(await runChild<InFlight>('inFlight.ts', [String(n)]));
  }
  return { rows, inFlight, largest };
}

export function scaleTable(s: Scale): string {
  const lines = [
    '| items | items/s | latency p95 (s) | peak RSS (MB) | RSS per in-flight item (KB) | task-hub reads / writes per workflow | Cosmos reads / writes per workflow | intake / Event Grid per workflow | episodes / polls per workflow | $ per million items (design a, 2 min jobs) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...s.rows.map(
      (r) =>
        `| ${r.items} | ${r.itemsPerSecond} | ${round(r.latencyP95Ms / 1000)} | ${r.peakRssMb} | ${r.rssKbPerInFlight} | ${r.taskHub.reads} / ${r.taskHub.writes} | ${r.cosmos.reads} / ${r.cosmos.writes} | ${r.intake} / ${r.eventGrid} | ${r.episodesPerWorkflow} / ${r.pollsPerWorkflow} | ${r.costPerMillionA} |`,
    ),
  ];
  if (s.inFlight?.length) {
    lines.push(
      '',
      'In flight on the memory store (scripted steps, real clock, started together, driven until each waits on its first poll timer):',
      '',
      '| instances | running at the end | seconds | instances/s | CPU ms per instance | episodes per instance | RSS before → after (MB) | RSS / live heap per in-flight instance (KB) |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const f of s.inFlight) {
      lines.push(
        `| ${f.instances} | ${f.running} | ${f.secondsToFirstTimer} | ${f.instancesPerSecond} | ${f.cpuMsPerInstance} | ${f.episodesPerInstance} | ${f.rssMb.before} → ${f.rssMb.inFlightAfterGc} | ${f.kbPerInFlightInstance.rss} / ${f.kbPerInFlightInstance.heap} |`,
      );
    }
  }
  return lines.join('\n');
}
