/**
 * `npm run bench [-- --items N] [--quick]`: one run, one machine, every number from the same run.
 *
 *  1. end-to-end: N work items intake → terminal through the devhost, every real local server
 *     (Azurite and the Cosmos emulator as their own processes), demo timings;
 *  2. cost per workflow: HTTP requests to Cosmos, Tables (intake vs task hub), Event Grid, the mock;
 *  3. the floor: raw ops/s of the same servers for the same kinds of operation, and throughput/floor;
 *  4. memory: peak RSS of this process (the host) in flight and after;
 *  5. the in-memory test engine: 1,000 time-skipped workflows of 10 polls;
 *  6. the replay curve: one workflow with 10, 100, 1,000 polls.
 * Prints a table and writes bench-results/<timestamp>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { CosmosClient } from '@azure/cosmos';
import { EventGridPublisherClient, AzureKeyCredential } from '@azure/eventgrid';
import { readAll } from '../src/application/steps/recordStep';
import { loadConfig } from '../src/infrastructure/config/loadConfig';
import { buildServices } from '../src/infrastructure/services';
import { cosmosHttpsAgent } from '../src/infrastructure/cosmos';
import { localSettings, startLocalStack, type LocalStack } from '../devhost/demo/localStack';
import { startDevHost } from '../devhost/host/server';
import { engineTaskHub } from '../devhost/host/taskHubFactory';

interface Args { items: number }
function parseArgs(argv: string[]): Args {
  const a: Args = { items: 1000 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') a.items = 100;
    else if (argv[i] === '--items') a.items = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --items N or --quick)`);
  }
  if (!Number.isInteger(a.items) || a.items < 1) throw new Error('--items needs a positive whole number');
  return a;
}

// ---- request counting at the HTTP layer (every SDK in this process goes through it) -------------

const counts: Record<string, number> = {};
let ports: Record<string, string> = {};
function instrumentHttp(): void {
  for (const mod of [http, https] as const) {
    const original = mod.request;
    (mod as { request: typeof original }).request = function (this: unknown, ...args: unknown[]) {
      const first = args[0] as string | URL | http.RequestOptions;
      const opts = (typeof first === 'string' || first instanceof URL ? new URL(String(first)) : first) as { port?: string | number; method?: string; path?: string | null; pathname?: string };
      const more = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as { method?: string };
      const service = ports[String(opts.port ?? '')];
      if (service) {
        const method = (more.method ?? opts.method ?? 'GET').toUpperCase();
        let key = `${service} ${method}`;
        if (service === 'tables') {
          const p = decodeURIComponent(String(opts.path ?? opts.pathname ?? ''));
          key = `${p.includes('intake') ? 'tables:intake' : 'tables:taskhub'} ${method}`;
        }
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof original;
  }
}

// ---- helpers -----------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function opsPerSecond(label: string, seconds: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    while (Date.now() < end) await op(w * 1_000_000 + n++);
  }));
  const rate = n / seconds;
  console.log(`  floor ${label}: ${round(rate)} ops/s`);
  return rate;
}

// ---- 1-4: end to end ---------------------------------------------------------------------------

async function endToEnd(items: number): Promise<Record<string, unknown>> {
  const stack: LocalStack = await startLocalStack({ cosmosProcess: true });
  const port = (u: string): string => new URL(u).port;
  ports = { [port(stack.cosmos.endpoint)]: 'cosmos', [port(stack.azurite.tableUrl)]: 'tables', [port(stack.topic.endpoint)]: 'eventgrid', [port(stack.mock.url)]: 'external' };
  const settings = localSettings(stack, { DISCOVERY_BATCH_SIZE: '200', DISCOVERY_SCHEDULE: '*/1 * * * * *', WORKFLOW_POLL_INITIAL_DELAY_SECONDS: '1', WORKFLOW_POLL_MAX_INTERVAL_SECONDS: '2' });
  Object.assign(process.env, settings, { DEVHOST_QUIET: '1' });
  const host = await startDevHost({
    appDir: path.join(__dirname, '..'), port: 0, log: () => undefined,
    taskHub: engineTaskHub({ kind: 'connectionString', connectionString: stack.azurite.connectionString }),
  });
  const services = await buildServices(loadConfig(settings));
  const table = TableClient.fromConnectionString(stack.azurite.connectionString, 'intake', { allowInsecureConnection: true });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const ids = Array.from({ length: items }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const rssBefore = process.memoryUsage().rss;
    for (const k of Object.keys(counts)) delete counts[k];
    const t0 = Date.now();
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id, j) => table.createEntity({ partitionKey: 'bench', rowKey: id, Status: 'Unprocessed', Payload: JSON.stringify({ scenario: (i + j) % 10 === 9 ? 'failcanretry-then-pass' : 'pass' }) })));
    }
    const seeded = { ...counts };
    for (const k of Object.keys(counts)) delete counts[k];
    let done = 0;
    let peakInFlightRss = 0;
    while (done < ids.length) {
      await sleep(1000);
      const page = await services.projection.list({ stage: 'Completed', top: 1000 });
      let total = page.items.length;
      let token = page.continuationToken;
      while (token) {
        const next = await services.projection.list({ stage: 'Completed', top: 1000, continuationToken: token });
        total += next.items.length;
        token = next.continuationToken;
      }
      done = total;
      if (done < ids.length) peakInFlightRss = Math.max(peakInFlightRss, peakRss);
      if (Date.now() - t0 > 30 * 60_000) throw new Error(`only ${done}/${ids.length} finished in 30 minutes`);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const workflowCounts = { ...counts };
    const engine = (host.taskHub as unknown as { stats(): { episodes: number; activitiesRun: number; historyEventsReplayed: number; orchestratorMs: number } }).stats();

    const latencies: number[] = [];
    let events = 0;
    for (const id of ids) {
      const stream = await readAll(services.eventStore, id);
      events += stream.length;
      const first = stream.find((e) => e.type === 'RequestDiscovered');
      const last = stream.find((e) => e.type === 'RequestCompleted');
      if (first && last) latencies.push(Date.parse(last.occurredAt) - Date.parse(first.occurredAt));
    }
    global.gc?.();
    await sleep(2000);
    const rssAfter = process.memoryUsage().rss;

    // The floor: the same servers, the same kinds of operation, as raw SDK calls, 8 at a time.
    console.log('measuring the floor...');
    const cosmos = new CosmosClient({ endpoint: stack.cosmos.endpoint, key: stack.cosmos.key, agent: cosmosHttpsAgent(stack.cosmos.endpoint), connectionPolicy: { enableEndpointDiscovery: false } });
    const { container } = await cosmos.database('workflow').containers.createIfNotExists({ id: 'floor', partitionKey: { paths: ['/pk'] } });
    const floorTable = TableClient.fromConnectionString(stack.azurite.connectionString, 'floor', { allowInsecureConnection: true });
    await floorTable.createTable();
    const topic = new EventGridPublisherClient(stack.topic.endpoint, 'CloudEvent', new AzureKeyCredential(stack.topic.key), { allowInsecureConnection: true });
    const sampleEvent = (i: number) => ({ id: `floor-${i}`, source: '/bench', type: 'workflow.request.completed.v1', subject: 'requests/x', time: new Date(), dataContentType: 'application/json', data: { requestId: 'floor-x', outcome: 'Pass', completedAt: new Date().toISOString() } });
    const floor = {
      cosmos: await opsPerSecond('cosmos create', 3, 8, (i) => container.items.create({ id: `f${i}`, pk: `p${i % 50}`, v: i })),
      tables: await opsPerSecond('table upsert', 3, 8, (i) => floorTable.upsertEntity({ partitionKey: `p${i % 50}`, rowKey: `r${i}`, v: i })),
      eventgrid: await opsPerSecond('topic send', 3, 8, (i) => topic.send([sampleEvent(i)])),
    };
    const per = (prefix: string): number => Object.entries(workflowCounts).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0) / items;
    const perWorkflow = { cosmos: per('cosmos'), tablesIntake: per('tables:intake'), tablesTaskHub: per('tables:taskhub'), eventgrid: per('eventgrid'), external: per('external') };
    // Seconds one workflow's requests would take on each server at its raw rate; the servers run in parallel,
    // so the busiest one bounds the floor.
    const floorWorkflowsPerSecond = Math.min(
      floor.cosmos / perWorkflow.cosmos,
      floor.tables / (perWorkflow.tablesIntake + perWorkflow.tablesTaskHub),
      floor.eventgrid / perWorkflow.eventgrid,
    );
    const throughput = items / elapsed;
    return {
      items, elapsedSeconds: round(elapsed), throughputPerSecond: round(throughput, 2),
      latencyMs: { p50: median(latencies), p95: percentile(latencies, 95), max: Math.max(...latencies) },
      eventsPerWorkflow: round(events / items, 2),
      requestsPerWorkflow: Object.fromEntries(Object.entries(perWorkflow).map(([k, v]) => [k, round(v, 2)])),
      requestsByKind: Object.fromEntries(Object.entries(workflowCounts).map(([k, v]) => [k, round(v / items, 2)])),
      seedingRequests: seeded,
      engine: { ...engine, episodesPerWorkflow: round(engine.episodes / items, 1), historyEventsReplayedPerWorkflow: round(engine.historyEventsReplayed / items, 1), orchestratorMs: round(engine.orchestratorMs) },
      floorOpsPerSecond: Object.fromEntries(Object.entries(floor).map(([k, v]) => [k, round(v)])),
      floorWorkflowsPerSecond: round(floorWorkflowsPerSecond, 2),
      throughputOverFloor: round(throughput / floorWorkflowsPerSecond, 2),
      rssMb: { before: round(rssBefore / 2 ** 20), peakInFlight: round(peakInFlightRss / 2 ** 20), afterFinish: round(rssAfter / 2 ** 20) },
    };
  } finally {
    clearInterval(sampler);
    await host.stop();
    await stack.stop();
  }
}

// ---- 5-6: in a child process (bench/testEngine.ts), because a process hosts one app ----------------

function testEngine(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'testEngine.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>) : reject(new Error(`bench/testEngine.ts exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The engine's timers do not hold the process open; this does until main() settles.
  const keepAlive = setInterval(() => undefined, 1000);
  instrumentHttp();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  console.log(`bench: ${args.items} items on ${machine.cpus} cores (${machine.cpuModel}), node ${machine.node}`);
  console.log('in-memory test engine and replay curve...');
  const engine = await testEngine();
  console.log(`  1,000 workflows x 10 polls: ${String(engine.seconds)} s`);
  console.log(`end to end with ${args.items} items...`);
  const e2e = await endToEnd(args.items);
  const result = { machine, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), endToEnd: e2e, testEngine: engine };
  const dir = path.join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  const e = e2e as Record<string, never>;
  const rows: [string, unknown, string][] = [
    ['end-to-end throughput (items/s)', e.throughputPerSecond, ''],
    ['latency p50 / p95 (ms, discovered → completed)', `${(e.latencyMs as { p50: number }).p50} / ${(e.latencyMs as { p95: number }).p95}`, 'bounded by poll delays (1 s, cap 2 s)'],
    ['floor (workflows/s, busiest server at raw rate)', e.floorWorkflowsPerSecond, ''],
    ['throughput / floor', e.throughputOverFloor, 'target ≥ 0.5'],
    ['requests per workflow', JSON.stringify(e.requestsPerWorkflow), ''],
    ['requests by kind per workflow', JSON.stringify(e.requestsByKind), 'GET on cosmos = reads'],
    ['events per workflow', e.eventsPerWorkflow, ''],
    ['episodes / history events replayed per workflow', `${(e.engine as { episodesPerWorkflow: number }).episodesPerWorkflow} / ${(e.engine as { historyEventsReplayedPerWorkflow: number }).historyEventsReplayedPerWorkflow}`, ''],
    ['RSS MB before / peak in flight / after', `${(e.rssMb as { before: number }).before} / ${(e.rssMb as { peakInFlight: number }).peakInFlight} / ${(e.rssMb as { afterFinish: number }).afterFinish}`, 'target peak < 512'],
    ['test engine: 1,000 workflows × 10 polls (s)', engine.seconds, 'target < 5'],
    ['replay curve (polls → history events replayed, orchestrator ms)', JSON.stringify((engine.replayCurve as { polls: number; historyEventsReplayed: number; orchestratorMs: number }[]).map((c) => [c.polls, c.historyEventsReplayed, c.orchestratorMs])), 'linear if ×10 polls ≈ ×10 cost'],
  ];
  console.log('\n| measure | value | note |\n|---|---|---|');
  for (const [k, v, n] of rows) console.log(`| ${k} | ${String(v)} | ${n} |`);
  console.log(`\nwritten ${file}`);
  clearInterval(keepAlive);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
