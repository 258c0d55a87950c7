/**
 * `npm run cost [-- options]`: cost per million work items of the three designs (bench/cost/model.ts)
 * at the given mean job durations, with detection latency, from the operation counts of the latest
 * `npm run bench` result (bench-results/, git-ignored) or, in a fresh clone, the committed snapshot
 * bench/cost/measured.json. `--write` also redraws docs/cost.svg and the figures block of docs/COST.md;
 * `--save-snapshot` copies the counts used into that snapshot.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { costChart } from './chart';
import {
  breakEvenActionPrice,
  costDesigns,
  type DesignResult,
  type Distribution,
  type Measured,
  type PriceKey,
  type Prices,
  type Scenario,
} from './model';

const REPO = path.join(__dirname, '..', '..');
const SNAPSHOT = path.join(__dirname, 'measured.json');
const PRICES = path.join(__dirname, 'prices.json');
const DOC = path.join(REPO, 'docs', 'COST.md');
const SVG = path.join(REPO, 'docs', 'cost.svg');
const BEGIN = '<!-- cost:begin (npm run cost -- --write) -->';
const END = '<!-- cost:end -->';

export interface CostArgs {
  durations: number[];
  scenario: Omit<Scenario, 'meanJobSeconds'>;
  bench?: string;
  write: boolean;
  /** Copy the counts used into bench/cost/measured.json (what a fresh clone prices from). */
  saveSnapshot: boolean;
}

/** `90s`, `2m`, `2h`, `1d` or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`cost: "${text}" is not a duration (use e.g. 90s, 2m, 2h, 1d)`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

export function parseCostArgs(argv: string[]): CostArgs {
  const args: CostArgs = {
    durations: [120, 7200],
    // The production defaults of settings.ts: first poll 15 s, ×2, at most 300 s.
    scenario: {
      distribution: 'exponential',
      poll: { initialSeconds: 15, factor: 2, maxSeconds: 300 },
      subscribers: 1,
      timerPollSeconds: 300,
      concurrency: 4,
      instanceMemoryGb: 2,
      staleClaimSeconds: 300,
    },
    write: false,
    saveSnapshot: false,
  };
  const number = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min)
      throw new Error(`cost: ${flag} needs a number ≥ ${min}, got "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    const s = args.scenario;
    switch (flag) {
      case '--durations':
        args.durations = (value() ?? '').split(',').map(parseDuration);
        break;
      case '--distribution': {
        const d = value();
        if (d !== 'fixed' && d !== 'exponential' && d !== 'uniform')
          throw new Error(`cost: --distribution is fixed, exponential or uniform, got "${d ?? ''}"`);
        s.distribution = d as Distribution;
        break;
      }
      case '--poll-initial':
        s.poll.initialSeconds = parseDuration(value() ?? '');
        break;
      case '--poll-factor':
        s.poll.factor = number(flag, value(), 1);
        break;
      case '--poll-max':
        s.poll.maxSeconds = parseDuration(value() ?? '');
        break;
      case '--subscribers':
        s.subscribers = number(flag, value(), 0);
        break;
      case '--timer':
        s.timerPollSeconds = parseDuration(value() ?? '');
        break;
      case '--concurrency':
        s.concurrency = number(flag, value(), 1);
        break;
      case '--memory-gb':
        s.instanceMemoryGb = number(flag, value(), 0.5);
        break;
      case '--stale-claim':
        s.staleClaimSeconds = parseDuration(value() ?? '');
        break;
      case '--bench':
        args.bench = value();
        break;
      case '--write':
        args.write = true;
        break;
      case '--save-snapshot':
        args.saveSnapshot = true;
        break;
      default:
        throw new Error(`cost: unknown argument "${flag}" (see the header of bench/cost/cli.ts or docs/COST.md)`);
    }
  }
  if (args.durations.some((d) => !(d > 0))) throw new Error('cost: --durations must be positive');
  return args;
}

interface BenchFile {
  machine?: { date?: string };
  endToEnd?: {
    items: number;
    pollsPerWorkflow?: number;
    eventsPerWorkflow: number;
    requestsPerWorkflow: Record<string, number>;
    engine: { activitiesRun: number; episodesPerWorkflow: number };
  };
}

/** Per-item counts from a bench result file, or undefined if it has no end-to-end stage with poll counts. */
export function measuredFrom(file: string, bench: BenchFile): Measured | undefined {
  const e = bench.endToEnd;
  if (!e || e.pollsPerWorkflow === undefined) return undefined;
  const sum = (re: RegExp): number =>
    Math.round(
      1000 *
        Object.entries(e.requestsPerWorkflow)
          .filter(([k]) => re.test(k))
          .reduce((a, [, v]) => a + v, 0),
    ) / 1000;
  return {
    from: `${path.relative(REPO, file)} (${e.items} items, ${bench.machine?.date ?? 'undated'})`,
    polls: e.pollsPerWorkflow,
    episodes: e.engine.episodesPerWorkflow,
    activities: Math.round((1000 * e.engine.activitiesRun) / e.items) / 1000,
    eventsPublished: e.eventsPerWorkflow,
    cosmosReads: sum(/^cosmos .*\(read\)/),
    cosmosWrites: sum(/^cosmos .*\(write\)/),
    intakeTransactions: sum(/^tables intake /),
  };
}

function latestMeasured(explicit?: string): Measured {
  const candidates = explicit
    ? [path.resolve(explicit)]
    : (() => {
        const dir = path.join(REPO, 'bench-results');
        return existsSync(dir)
          ? readdirSync(dir)
              .filter((f) => f.endsWith('.json'))
              .sort()
              .reverse()
              .map((f) => path.join(dir, f))
          : [];
      })();
  for (const file of candidates) {
    const m = measuredFrom(file, JSON.parse(readFileSync(file, 'utf8')) as BenchFile);
    if (m) return m;
    if (explicit)
      throw new Error(`cost: ${explicit} has no end-to-end stage with poll counts (run npm run bench first)`);
  }
  return JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Measured;
}

const money = (v: number): string => `$${v >= 100 ? v.toFixed(0) : v.toFixed(2)}`;
const time = (s: number): string => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);
const label = (seconds: number): string => (seconds < 3600 ? `${seconds / 60} min` : `${seconds / 3600} h`);

export function report(
  measured: Measured,
  args: CostArgs,
  prices: Prices,
): { text: string; results: Map<number, DesignResult[]> } {
  const results = new Map(
    args.durations.map((d) => [d, costDesigns(measured, { ...args.scenario, meanJobSeconds: d }, prices)] as const),
  );
  const s = args.scenario;
  const lines = [
    `Measured counts: ${measured.from}`,
    `Scenario: job duration ${s.distribution} with the mean below; poll ${s.poll.initialSeconds} s ×${s.poll.factor} up to ${s.poll.maxSeconds} s; timer-poll every ${s.timerPollSeconds / 60} min; ${s.subscribers} external subscriber(s); Flex ${s.instanceMemoryGb} GB instances, ${s.concurrency} executions sharing an instance's active time; intake claims looked at ${s.staleClaimSeconds} s after the claim, then at doubling intervals, while a job runs.`,
    '',
    '| mean job duration | design | $ per million items | detection latency mean / p95 | polls per item | by service ($ per million) | unconfirmed prices used |',
    '|---|---|---|---|---|---|---|',
  ];
  const unconfirmed = new Set<PriceKey>();
  for (const [d, rs] of results) {
    for (const r of rs) {
      r.unconfirmed.forEach((k) => unconfirmed.add(k));
      const parts = Object.entries(r.parts)
        .map(([k, v]) => `${k} ${money(v)}`)
        .join(', ');
      lines.push(
        `| ${label(d)} | ${r.design}) ${r.name} | **${money(r.costPerMillion)}** | ${time(r.detection.meanSeconds)} / ${time(r.detection.p95Seconds)} | ${r.polls.toFixed(1)} | ${parts} | ${r.unconfirmed.length ? r.unconfirmed.join(', ') : 'none'} |`,
      );
    }
    lines.push(
      `| ${label(d)} | b) break-even Scheduler price | ${money(breakEvenActionPrice(rs, prices))} per million actions | | | b costs what a does at this action price | |`,
    );
  }
  lines.push(
    '',
    'Prices not confirmed on the official pricing page (every result above that names one depends on it):',
  );
  for (const k of unconfirmed)
    lines.push(`- ${k}: ${prices[k].value} ${prices[k].unit} — ${prices[k].status}; source: ${prices[k].source}`);
  return { text: lines.join('\n'), results };
}

function chart(measured: Measured, args: CostArgs, prices: Prices): string {
  const xs = Array.from({ length: 41 }, (_, i) => 60 * 10 ** ((i / 40) * Math.log10(1440)));
  const curves = xs.map((x) => costDesigns(measured, { ...args.scenario, meanJobSeconds: x }, prices));
  const colours = { a: '#1f77b4', b: '#2ca02c', c: '#d62728' };
  const series = (['a', 'b', 'c'] as const).map((design) => ({
    name: `${design}) ${curves[0]!.find((r) => r.design === design)!.name}`,
    colour: colours[design],
    points: xs.map((x, i) => ({ x, y: curves[i]!.find((r) => r.design === design)!.costPerMillion })),
  }));
  return costChart(series, 'Cost per million work items against mean job duration (npm run cost)', [
    60,
    600,
    3600,
    6 * 3600,
    86400,
  ]);
}

function main(): void {
  const args = parseCostArgs(process.argv.slice(2));
  const prices = (JSON.parse(readFileSync(PRICES, 'utf8')) as { prices: Prices }).prices;
  const measured = latestMeasured(args.bench);
  const { text } = report(measured, args, prices);
  console.log(text);
  if (args.saveSnapshot) {
    writeFileSync(SNAPSHOT, `${JSON.stringify(measured, null, 2)}\n`);
    console.log(`\nwritten ${path.relative(REPO, SNAPSHOT)}`);
  }
  if (args.write) {
    writeFileSync(SVG, chart(measured, args, prices));
    const doc = readFileSync(DOC, 'utf8');
    const [head, rest] = [doc.slice(0, doc.indexOf(BEGIN)), doc.slice(doc.indexOf(END))];
    if (!doc.includes(BEGIN) || !doc.includes(END)) throw new Error(`cost: ${DOC} has no ${BEGIN} … ${END} block`);
    const command = `npm run cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    writeFileSync(
      DOC,
      `${head}${BEGIN}\n\nCommand: \`${command}\`, ${new Date().toISOString().slice(0, 10)}.\n\n${text}\n\n![cost per million work items against mean job duration](cost.svg)\n\n${rest}`,
    );
    console.log(`\nwritten ${path.relative(REPO, SVG)} and the figures in ${path.relative(REPO, DOC)}`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
