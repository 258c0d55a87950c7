/**
 * `npm run bench [-- --items N | --quick]`: one run on this machine, every number from the same run.
 * End-to-end throughput and latency, requests and task-hub store ops per workflow, the floor of the
 * same servers, RSS, the in-memory test engine and the replay curve. Prints a table and writes
 * bench-results/<timestamp>.json. See docs/PERFORMANCE.md for how to read it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { runChild } from './child';
import { endToEnd, round, type EndToEnd } from './endToEnd';
import { installHttpCounter } from './httpCounter';
import { scale, scaleTable, type Scale } from './scale';
import { stepPaths, type StepPaths } from './stepPaths';
import { taskHubReads, taskHubRows, type TaskHubReads } from './taskHubReads';

const REPO = path.join(__dirname, '..');

type Stage = 'all' | 'e2e' | 'engine' | 'steps' | 'taskhub' | 'scale';
const STAGES: Stage[] = ['all', 'e2e', 'engine', 'steps', 'taskhub', 'scale'];
/** Items per side of the task-hub before/after comparison (two end-to-end runs). */
const TASKHUB_ITEMS = 200;

export interface BenchArgs {
  items: number;
  stage: Stage;
  /** --scale: end-to-end sizes and the in-flight count on the memory store. */
  scaleSizes: number[];
  inFlight: number;
}

const positiveList = (flag: string, text: string | undefined): number[] => {
  const list = (text ?? '').split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`bench: ${flag} needs positive whole numbers separated by commas, got "${text ?? ''}"`);
  return list;
};

export function parseArgs(argv: string[]): BenchArgs {
  let items = 1000;
  let stage: Stage = 'all';
  let scaleSizes = [100, 1000, 5000];
  let inFlight = 10_000;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') items = 100;
    else if (argv[i] === '--scale') stage = 'scale';
    else if (argv[i] === '--scale-sizes') scaleSizes = positiveList('--scale-sizes', argv[++i]);
    else if (argv[i] === '--in-flight') inFlight = Number(argv[++i]);
    else if (argv[i] === '--items') items = Number(argv[++i]);
    // One stage alone, e.g. to run it under `node --cpu-prof`.
    else if (argv[i] === '--only') stage = argv[++i] as Stage;
    else
      throw new Error(
        `bench: unknown argument "${argv[i]}" (use --items N, --quick, --scale [--scale-sizes 100,1000] [--in-flight N] or --only e2e|engine|steps|taskhub)`,
      );
  }
  if (!Number.isInteger(items) || items < 1) throw new Error('bench: --items needs a positive whole number');
  if (!STAGES.includes(stage))
    throw new Error(`bench: --only must be e2e, engine, steps, taskhub or scale, got "${stage}"`);
  if (!Number.isInteger(inFlight) || inFlight < 0)
    throw new Error('bench: --in-flight needs a whole number (0 skips it)');
  return { items, stage, scaleSizes, inFlight };
}

interface TestEngine {
  seconds: number;
  secondsStartedTogether: number;
  startedTogether: number;
  workflows: number;
  episodes: number;
  orchestratorSeconds: number;
  replayModelSeconds: number;
  replayCurve: { polls: number; episodes: number; historyEventsReplayed: number; orchestratorMs: number }[];
}

/** In its own process: a process hosts one app, and the test kit installs its own functions-core stand-in. */
const testEngine = (): Promise<TestEngine> => runChild<TestEngine>('testEngine.ts');

function endToEndRows(e: EndToEnd): [string, string, string][] {
  const req = e.requestsPerWorkflow;
  const sum = (re: RegExp): number =>
    round(
      Object.entries(req)
        .filter(([k]) => re.test(k))
        .reduce((a, [, v]) => a + v, 0),
      2,
    );
  return [
    ['items, outcomes', `${e.items}, ${JSON.stringify(e.outcomes)}`, ''],
    ['end-to-end throughput (items/s)', `${e.itemsPerSecond} (${e.elapsedSeconds} s)`, ''],
    [
      'latency p50 / p95 / max (ms, RequestDiscovered → RequestCompleted)',
      `${e.latencyMs.p50} / ${e.latencyMs.p95} / ${e.latencyMs.max}`,
      '',
    ],
    [
      'detection p50 / p95 / max (ms, mock job terminalAt → JobTerminal observedAt)',
      `${e.detectionMs.p50} / ${e.detectionMs.p95} / ${e.detectionMs.max} (${e.detectionMs.jobs} jobs)`,
      `backoff cap ${e.detectionMs.backoffCapMs} ms`,
    ],
    ...(e.floor
      ? ([
          ['floor (workflows/s for this mix; bottleneck)', `${e.floor.workflowsPerSecond} (${e.floor.bottleneck})`, ''],
          ['throughput / floor', String(e.throughputOverFloor), 'target ≥ 0.5'],
        ] as [string, string, string][])
      : []),
    ['events per workflow', String(e.eventsPerWorkflow), ''],
    [
      'Cosmos reads / writes per workflow',
      `${sum(/^cosmos .*\(read\)/)} / ${sum(/^cosmos .*\(write\)/)}`,
      'writes ≤ events + 1 per activity',
    ],
    ['Cosmos by kind per workflow', JSON.stringify(pickPrefix(req, 'cosmos ')), ''],
    [
      'intake table reads / writes per workflow',
      `${sum(/^tables intake .*\(read\)/)} / ${sum(/^tables intake .*\(write\)/)}`,
      '',
    ],
    [
      'task-hub table reads / writes per workflow',
      `${sum(/^tables taskhub .*\(read\)/)} / ${sum(/^tables taskhub .*\(write\)/)}`,
      '',
    ],
    ['task-hub store ops per workflow', JSON.stringify(e.storeOpsPerWorkflow), ''],
    ['Event Grid calls per workflow', String(sum(/^eventgrid/)), '≤ 1 per activity'],
    [
      'activities / episodes per workflow',
      `${round(e.engine.activitiesRun / e.items, 1)} / ${e.engine.episodesPerWorkflow}`,
      '',
    ],
    [
      'history events replayed per workflow (total)',
      `${e.engine.historyEventsReplayedPerWorkflow} (${e.engine.historyEventsReplayed})`,
      '',
    ],
    [
      'history events in the final execution, mean / max',
      `${e.engine.finalExecutionHistory.mean} / ${e.engine.finalExecutionHistory.max}`,
      '',
    ],
    [
      'RSS MB before / peak in flight / after',
      `${e.rssMb.before} / ${e.rssMb.peakInFlight} / ${e.rssMb.afterFinish}`,
      'target peak < 512',
    ],
    [
      'live heap after GC, MB before / after (KB per finished item)',
      `${e.heapAfterGcMb.before} / ${e.heapAfterGcMb.afterFinish} (${e.heapAfterGcMb.kbPerItem})`,
      e.heapAfterGcMb.gcExposed
        ? 'includes the in-process topic and mock, which keep every event and job'
        : 'run with node --expose-gc',
    ],
  ];
}

function stepRows(s: StepPaths): [string, string, string][] {
  const row = (name: string, r: StepPaths['fromView']): [string, string, string] => [
    `steps ${name}: steps/s, p50 / p95 ms`,
    `${r.stepsPerSecond}, ${r.stepMs.p50} / ${r.stepMs.p95}`,
    `Cosmos per step ${JSON.stringify(r.cosmosRequestsPerStep)}`,
  ];
  return [
    row('deciding from the stream (before)', s.fromStream),
    row('deciding from the stored view (after)', s.fromView),
    [
      'hot path speed-up (after / before, same run)',
      `×${s.speedup}`,
      `${s.requests} requests × 10 steps each, ${s.concurrency} at a time`,
    ],
  ];
}

function engineRows(t: TestEngine): [string, string, string][] {
  const curve = t.replayCurve
    .map((c) => `${c.polls} → ${c.historyEventsReplayed} ev, ${c.orchestratorMs} ms`)
    .join('; ');
  const [, c100, c1000] = t.replayCurve;
  if (!c100 || !c1000)
    throw new Error(
      `test engine results need the replay curve at 10, 100 and 1,000 polls; got ${t.replayCurve.length} points`,
    );
  return [
    [`test engine: ${t.workflows} × 10 polls, one run() at a time (s)`, String(t.seconds), 'target < 5 for 1,000'],
    [
      'of which: SDK replays / replay model of the extension + DTFx (s)',
      `${t.orchestratorSeconds} / ${t.replayModelSeconds}`,
      `model ${round((100 * t.replayModelSeconds) / t.seconds, 1)} % of the run, ${round((1000 * t.replayModelSeconds) / t.episodes, 3)} ms per episode (${t.episodes} episodes)`,
    ],
    [
      `test engine: ${t.startedTogether} × 10 polls started together, one whenIdle (s)`,
      String(t.secondsStartedTogether),
      '1,000 together did not idle within minutes',
    ],
    [
      'replay curve (saga, polls → events replayed, orchestrator ms)',
      curve,
      `×10 polls 100→1000: ×${round(c1000.historyEventsReplayed / c100.historyEventsReplayed, 2)} events, ×${round(c1000.orchestratorMs / c100.orchestratorMs, 2)} ms`,
    ],
  ];
}

const pickPrefix = (o: Record<string, number>, prefix: string): Record<string, number> =>
  Object.fromEntries(
    Object.entries(o)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The engine's timers do not hold the process open; this does until main() settles.
  const keepAlive = setInterval(() => undefined, 1000);
  const http = installHttpCounter();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGb: round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
  console.log(`bench: ${args.items} items on ${machine.cpus} cores (${machine.cpuModel ?? '?'}), node ${machine.node}`);
  let engine: TestEngine | undefined;
  if (args.stage === 'all' || args.stage === 'engine') {
    console.log('in-memory test engine and replay curve...');
    engine = await testEngine();
  }
  let steps: StepPaths | undefined;
  if (args.stage === 'all' || args.stage === 'steps') {
    console.log('hot path before/after: steps deciding from the stream vs from the stored view...');
    steps = await stepPaths(http, Math.min(400, args.items));
  }
  let scaled: Scale | undefined;
  if (args.stage === 'scale') scaled = await scale(args.scaleSizes, args.inFlight);
  let taskHub: TaskHubReads | undefined;
  if (args.stage === 'all' || args.stage === 'taskhub') {
    taskHub = await taskHubReads(args.stage === 'taskhub' ? args.items : Math.min(args.items, TASKHUB_ITEMS));
  }
  let e2e: EndToEnd | undefined;
  if (args.stage === 'all' || args.stage === 'e2e') {
    console.log(`end to end with ${args.items} items...`);
    e2e = await endToEnd(args.items, http, REPO);
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const dir = path.join(REPO, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        machine,
        command,
        endToEnd: e2e ?? scaled?.largest,
        stepPaths: steps,
        taskHub,
        scale: scaled && { rows: scaled.rows, inFlight: scaled.inFlight },
        testEngine: engine,
      },
      null,
      2,
    ),
  );
  console.log('\n| measure | value | note |\n|---|---|---|');
  for (const [k, v, n] of [
    ...(e2e ? endToEndRows(e2e) : []),
    ...(steps ? stepRows(steps) : []),
    ...(taskHub ? taskHubRows(taskHub) : []),
    ...(engine ? engineRows(engine) : []),
  ])
    console.log(`| ${k} | ${v} | ${n} |`);
  if (scaled)
    console.log(
      `\n${scaleTable(scaled)}\n\nThe machine: ${machine.cpus} cores shared with other work; absolute rates are lower bounds, compare rows within one run.`,
    );
  console.log(`\nwritten ${file}`);
  clearInterval(keepAlive);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
