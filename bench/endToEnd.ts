/**
 * N work items intake → terminal through the devhost with every real local server (Azurite and the
 * Cosmos emulator as their own processes, the local topic and the mock in this process), demo timings.
 * Completion is watched on the local topic (the completed event is the last thing a workflow does),
 * so watching adds no requests to the counted servers.
 */
import { TableClient } from '@azure/data-tables';
import { localSettings, startLocalStack } from '../localdev/demo/localStack';
import { startDevHost } from '@saga/devhost';
import type { EngineStats } from '@saga/devhost/engine';
import { sourceAppDir } from './appDir';
import { countingTaskHub } from './countingStore';
import { measureFloor, type Floor } from './floor';
import type { Counts, HttpCounter } from './httpCounter';

const COMPLETED = 'workflow.request.completed.v1';
const DISCOVERED = 'workflow.request.discovered.v1';
const JOB_TERMINAL = 'workflow.job.terminal.v1';
/** At least 30 minutes; more for large runs on a slow machine (about 1.5 items/s when it is busy). */
const timeLimitMs = (items: number): number => Math.max(30 * 60_000, items * 700);
const MS_PER_STEP = 1000;

/** Mostly the happy path; a retry after FailCanRetry and a plain failure mixed in. */
function scenarioFor(i: number): string {
  if (i % 20 === 19) return 'fail';
  if (i % 10 === 9) return 'failcanretry-then-pass';
  return 'pass';
}

export interface EndToEnd {
  items: number;
  settings: Record<string, string>;
  elapsedSeconds: number;
  itemsPerSecond: number;
  outcomes: Record<string, number>;
  latencyMs: { p50: number; p95: number; max: number };
  /** Mock job turned terminal (its history's terminalAt, time-based progression) → the workflow's JobTerminal. */
  detectionMs: { jobs: number; p50: number; p95: number; max: number; backoffCapMs: number };
  eventsPerWorkflow: number;
  /** Status requests the mock answered per work item: the polls. */
  pollsPerWorkflow: number;
  requestsPerWorkflow: Counts;
  storeOpsPerWorkflow: Counts;
  seeding: Counts;
  engine: EngineStats & {
    historyEventsReplayedPerWorkflow: number;
    episodesPerWorkflow: number;
    finalExecutionHistory: { mean: number; max: number };
  };
  /** Absent when the run skipped it (EndToEndOptions.floor false). */
  floor?: Floor;
  throughputOverFloor?: number;
  rssMb: { before: number; peakInFlight: number; afterFinish: number };
  /** Live heap after a full GC (needs node --expose-gc): what finished instances leave behind. */
  heapAfterGcMb: { before: number; afterFinish: number; kbPerItem: number; gcExposed: boolean };
}

export interface EndToEndOptions {
  /** false: the task-hub store reads the record before every use (the before side of its read count). */
  reuseReads?: boolean;
  /** false: no in-process wake; the scheduler scans the task hub on every look (the "wake off" side). */
  wake?: boolean;
  /** Skip the floor measurement (the before/after comparison does not need it). */
  floor?: boolean;
}

export async function endToEnd(
  items: number,
  http: HttpCounter,
  repo: string,
  opts: EndToEndOptions = {},
): Promise<EndToEnd> {
  // Time-based progression, so a job's terminalAt is when it turned terminal, not when it was polled.
  const stack = await startLocalStack({
    cosmosProcess: true,
    mock: { auth: 'off', progression: { msPerStep: MS_PER_STEP } },
  });
  const port = (u: string): string => new URL(u).port;
  http.watch({
    [port(stack.cosmos.endpoint)]: 'cosmos',
    [port(stack.azurite.tableUrl)]: 'tables',
    [port(stack.topic.endpoint)]: 'eventgrid',
  });
  // A deadline long enough that queueing behind every item does not turn passes into time-outs.
  const settings = localSettings(stack, {
    DISCOVERY_BATCH_SIZE: '200',
    DISCOVERY_SCHEDULE: '*/1 * * * * *',
    WORKFLOW_DEADLINE_SECONDS: String(Math.max(600, Math.ceil(timeLimitMs(items) / 1000))),
  });
  Object.assign(process.env, settings, { DEVHOST_QUIET: '1' });
  const app = sourceAppDir(repo);
  const hub = countingTaskHub(stack.azurite.connectionString, { reuseReads: opts.reuseReads, wake: opts.wake });
  const host = await startDevHost({ appDir: app.dir, port: 0, log: () => undefined, taskHub: hub.factory }).catch(
    async (e: unknown) => {
      await stack.stop();
      app.remove();
      throw e;
    },
  );
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, settings.INTAKE_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    await table.createTable().catch(() => undefined);
    const ids = Array.from({ length: items }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    http.take();
    hub.take();
    const t0 = Date.now();
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id, j) =>
          table.createEntity({
            partitionKey: 'bench',
            rowKey: id,
            Status: 'Unprocessed',
            Payload: JSON.stringify({ scenario: scenarioFor(i + j) }),
          }),
        ),
      );
    }
    const seeding = http.take();
    const outcomes = await waitForAll(
      stack.topic.events as () => { type: string; data?: unknown }[],
      ids.length,
      t0,
      () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const peakInFlight = peakRss;
    const requests = http.take();
    const storeOps = hub.take();
    const engine = hub.engine();
    const stats = engine.stats();

    // From the events the topic received (each stored event is published), not one Cosmos query per
    // item: on the emulator those slow down with the container, and 5,000 of them took longer than the run.
    const latencies: number[] = [];
    const histories: number[] = [];
    const terminalSeen = new Map<string, number>();
    const byRequest = new Map<string, { discovered?: string; completed?: string }>();
    let events = 0;
    for (const [, [e]] of stack.topic.eventsById()) {
      const data = e?.data as { requestId?: string; externalJobId?: string; observedAt?: string } | undefined;
      if (!e || !data?.requestId?.startsWith('bench-')) continue;
      events++;
      const times = byRequest.get(data.requestId) ?? {};
      if (e.type === DISCOVERED) times.discovered = String(e.time);
      if (e.type === COMPLETED) times.completed = String(e.time);
      byRequest.set(data.requestId, times);
      if (e.type === JOB_TERMINAL && data.externalJobId && data.observedAt)
        terminalSeen.set(data.externalJobId, Date.parse(data.observedAt));
    }
    for (const { discovered, completed } of byRequest.values())
      if (discovered && completed) latencies.push(Date.parse(completed) - Date.parse(discovered));
    for (const id of ids) {
      const inspected = await engine.inspect(id);
      if (inspected) histories.push(inspected.history.length);
    }
    const detections: number[] = [];
    let polls = 0;
    for (const job of stack.mock.jobs()) {
      if (job.requestId.startsWith('bench-')) polls += job.polls;
      const seen = terminalSeen.get(job.id);
      if (job.requestId.startsWith('bench-') && job.terminalAt && seen !== undefined)
        detections.push(seen - Date.parse(job.terminalAt));
    }
    http.take();
    global.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;

    const perWorkflow = (c: Counts): Counts =>
      Object.fromEntries(
        Object.entries(c)
          .sort()
          .map(([k, v]) => [k, round(v / items, 2)]),
      );
    const requestsPerWorkflow = perWorkflow(requests);
    let floor: Floor | undefined;
    if (opts.floor !== false) {
      console.log('measuring the floor...');
      floor = await measureFloor(stack, requestsPerWorkflow, ids);
    }
    const itemsPerSecond = items / elapsed;
    return {
      items,
      settings: pick(settings, /^(WORKFLOW_|DISCOVERY_)/),
      elapsedSeconds: round(elapsed),
      itemsPerSecond: round(itemsPerSecond, 2),
      outcomes,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
      detectionMs: {
        jobs: detections.length,
        p50: percentile(detections, 50),
        p95: percentile(detections, 95),
        max: Math.max(...detections),
        backoffCapMs: Number(settings.WORKFLOW_POLL_MAX_INTERVAL_SECONDS) * 1000,
      },
      eventsPerWorkflow: round(events / items, 2),
      pollsPerWorkflow: round(polls / items, 2),
      requestsPerWorkflow,
      storeOpsPerWorkflow: perWorkflow(storeOps),
      seeding,
      engine: {
        ...stats,
        orchestratorMs: round(stats.orchestratorMs),
        episodesPerWorkflow: round(stats.episodes / items, 1),
        historyEventsReplayedPerWorkflow: round(stats.historyEventsReplayed / items, 1),
        finalExecutionHistory: {
          mean: round(histories.reduce((a, b) => a + b, 0) / Math.max(1, histories.length)),
          max: Math.max(0, ...histories),
        },
      },
      floor: floor && {
        ...floor,
        opsPerSecond: roundAll(floor.opsPerSecond, 0),
        serverSecondsPerWorkflow: roundAll(floor.serverSecondsPerWorkflow, 4),
        workflowsPerSecond: round(floor.workflowsPerSecond, 2),
      },
      throughputOverFloor: floor && round(itemsPerSecond / floor.workflowsPerSecond, 2),
      rssMb: { before: mb(rssBefore), peakInFlight: mb(peakInFlight), afterFinish: mb(rssAfter) },
      heapAfterGcMb: {
        before: mb(heapBefore),
        afterFinish: mb(heapAfter),
        kbPerItem: round((heapAfter - heapBefore) / 1024 / items),
        gcExposed: typeof global.gc === 'function',
      },
    };
  } finally {
    clearInterval(sampler);
    await host.stop();
    await stack.stop();
    app.remove();
  }
}

async function waitForAll(
  events: () => { type: string; data?: unknown }[],
  count: number,
  t0: number,
  sample: () => void,
): Promise<Record<string, number>> {
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    sample();
    const done = new Map<string, string>();
    for (const e of events()) {
      const data = e.data as { requestId?: string; outcome?: string } | undefined;
      if (e.type === COMPLETED && data?.requestId?.startsWith('bench-')) done.set(data.requestId, data.outcome ?? '?');
    }
    if (Math.floor(done.size / 100) !== Math.floor(last / 100))
      console.log(`  ${done.size}/${count} done after ${Math.round((Date.now() - t0) / 1000)} s`);
    last = done.size;
    if (done.size >= count) {
      const outcomes: Record<string, number> = {};
      for (const o of done.values()) outcomes[o] = (outcomes[o] ?? 0) + 1;
      return outcomes;
    }
    if (Date.now() - t0 > timeLimitMs(count))
      throw new Error(
        `only ${done.size}/${count} items finished in ${Math.round(timeLimitMs(count) / 60_000)} minutes`,
      );
  }
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
export const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const mb = (bytes: number): number => round(bytes / 2 ** 20);
const roundAll = (o: Record<string, number>, d: number): Record<string, number> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, d)]));
const pick = (o: Record<string, string>, re: RegExp): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => re.test(k)));
