/**
 * `npm run load [-- --connections 200 --seconds 60]`: the request API under load, on loopback only.
 * The devhost runs the app in its own process against the real local servers (Azurite, the Cosmos
 * emulator as its own process, the local topic, the mock). autocannon keeps `connections` clients
 * busy for `seconds`, mixing adds (POST /api/requests, started at once), reads of added items and
 * lists. Then every accepted add is followed until its workflow ends (bounded by --drain-minutes).
 * Prints requests/s, latency p50/p99 (overall and per kind), status counts per kind of request,
 * client timeouts, and the check: no 5xx and no accepted add lost (an add whose answer timed out is
 * looked up, and followed if it exists). Exit code 1 when the check fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { localSettings, startLocalStack } from '../localdev/demo/localStack';
import { startProcessHost } from '@saga/devhost';

const REPO = path.join(__dirname, '..');

export interface LoadArgs {
  connections: number;
  seconds: number;
  drainMinutes: number;
  /** Shares of adds and reads; the rest are lists. */
  addShare: number;
  readShare: number;
}

export function parseLoadArgs(argv: string[]): LoadArgs {
  const args: LoadArgs = { connections: 200, seconds: 60, drainMinutes: 20, addShare: 0.1, readShare: 0.6 };
  const keys: Record<string, keyof LoadArgs> = {
    '--connections': 'connections',
    '--seconds': 'seconds',
    '--drain-minutes': 'drainMinutes',
    '--add-share': 'addShare',
    '--read-share': 'readShare',
  };
  for (let i = 0; i < argv.length; i++) {
    const key = keys[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key) throw new Error(`load: unknown argument "${argv[i]}" (use ${Object.keys(keys).join(', ')})`);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`load: ${argv[i]} needs a positive number, got "${argv[i + 1] ?? ''}"`);
    args[key] = value;
    i++;
  }
  if (args.addShare + args.readShare > 1) throw new Error('load: --add-share plus --read-share must be at most 1');
  return args;
}

type Kind = 'add' | 'read' | 'list';

export interface LoadResult {
  args: LoadArgs;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  errors: number;
  timeouts: number;
  byKind: Record<Kind, Record<string, number>>;
  /** Latency per kind of request, measured from the request's setup to its response (ms). */
  latencyByKind: Record<Kind, { p50: number; p99: number }>;
  /** Adds sent whose answer never came (timeouts): looked up afterwards, and followed if they exist. */
  unanswered: number;
  accepted: number;
  terminal: number;
  outcomes: Record<string, number>;
  lost: string[];
  drainSeconds: number;
  passed: boolean;
}

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated']);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
}

export async function loadTest(args: LoadArgs, log: (line: string) => void = console.log): Promise<LoadResult> {
  const stack = await startLocalStack({ cosmosProcess: true });
  const settings = localSettings(stack, { DISCOVERY_SCHEDULE: '0 0 0 1 1 *', WORKFLOW_DEADLINE_SECONDS: '3600' });
  const host = await startProcessHost({
    appDir: REPO,
    storage: stack.azurite.connectionString,
    env: { ...settings, DEVHOST_QUIET: '1' },
  }).catch(async (e: unknown) => {
    await stack.stop();
    throw e;
  });
  try {
    const run = `load${Date.now().toString(36)}`;
    let seq = 0;
    const added: string[] = [];
    const accepted = new Set<string>();
    const sent = new Set<string>();
    const byKind: LoadResult['byKind'] = { add: {}, read: {}, list: {} };
    const latencies: Record<Kind, number[]> = { add: [], read: [], list: [] };
    const count = (kind: Kind, status: number, ms: number): void => {
      byKind[kind][status] = (byKind[kind][status] ?? 0) + 1;
      latencies[kind].push(ms);
    };
    // Each connection remembers what it asked last, so its response is counted under that kind.
    type Ctx = { kind?: Kind; id?: string; at?: number };
    const result = await autocannon({
      url: host.url,
      connections: args.connections,
      duration: args.seconds,
      timeout: 30,
      requests: [
        {
          setupRequest: (req, context) => {
            const ctx = context as Ctx;
            ctx.at = performance.now();
            const r = Math.random();
            if (r < args.addShare || added.length === 0) {
              const id = `${run}-${seq++}`;
              sent.add(id);
              Object.assign(ctx, { kind: 'add', id });
              return {
                ...req,
                method: 'POST',
                path: '/api/requests',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ id, payload: { scenario: 'pass' }, start: true }),
              };
            }
            if (r < args.addShare + args.readShare) {
              Object.assign(ctx, { kind: 'read', id: undefined });
              return {
                ...req,
                method: 'GET',
                path: `/api/requests/${added[Math.floor(Math.random() * added.length)]!}`,
                body: undefined,
              };
            }
            Object.assign(ctx, { kind: 'list', id: undefined });
            return { ...req, method: 'GET', path: '/api/requests?top=20', body: undefined };
          },
          onResponse: (status, _body, context) => {
            const ctx = context as Ctx;
            count(ctx.kind ?? 'list', status, performance.now() - (ctx.at ?? 0));
            if (ctx.kind === 'add' && ctx.id) {
              sent.delete(ctx.id);
              added.push(ctx.id);
              if (status === 202 || status === 200) accepted.add(ctx.id);
            }
          },
        },
      ],
    });
    // An add whose answer timed out may still have been accepted: it counts if the item exists.
    const unanswered = sent.size;
    for (const id of sent) if ((await fetch(`${host.url}/api/requests/${id}`)).status === 200) accepted.add(id);
    log(
      `load: ${result.requests.total} requests in ${args.seconds} s; following ${accepted.size} accepted adds to the end of their workflows...`,
    );

    const t0 = Date.now();
    const outcomes: Record<string, number> = {};
    let pending = [...accepted];
    while (pending.length && Date.now() - t0 < args.drainMinutes * 60_000) {
      const still: string[] = [];
      for (let i = 0; i < pending.length; i += 20) {
        await Promise.all(
          pending.slice(i, i + 20).map(async (id) => {
            const res = await fetch(`${host.url}/api/requests/${id}`);
            const body = res.ok
              ? ((await res.json()) as {
                  orchestration?: { runtimeStatus?: string; output?: { outcome?: string } } | null;
                })
              : undefined;
            const status = body?.orchestration?.runtimeStatus;
            if (status && TERMINAL.has(status)) {
              const outcome = body?.orchestration?.output?.outcome ?? status;
              outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            } else still.push(id);
          }),
        );
      }
      if (still.length !== pending.length)
        log(`  ${accepted.size - still.length}/${accepted.size} ended after ${Math.round((Date.now() - t0) / 1000)} s`);
      pending = still;
      if (pending.length) await new Promise((r) => setTimeout(r, 2000));
    }
    const fiveXx = Object.values(byKind).reduce(
      (n, statuses) =>
        n +
        Object.entries(statuses)
          .filter(([s]) => s.startsWith('5'))
          .reduce((a, [, v]) => a + v, 0),
      0,
    );
    return {
      args,
      requestsPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      requests: result.requests.total,
      errors: result.errors,
      timeouts: result.timeouts,
      byKind,
      latencyByKind: Object.fromEntries(
        Object.entries(latencies).map(([k, xs]) => [k, { p50: percentile(xs, 50), p99: percentile(xs, 99) }]),
      ) as LoadResult['latencyByKind'],
      unanswered,
      accepted: accepted.size,
      terminal: accepted.size - pending.length,
      outcomes,
      lost: pending,
      drainSeconds: Math.round((Date.now() - t0) / 1000),
      // The issue's target: no 5xx and no accepted add lost. Client timeouts are reported beside it.
      passed: fiveXx === 0 && pending.length === 0,
    };
  } finally {
    await host.stop();
    await stack.stop();
  }
}

export function loadReport(r: LoadResult): string {
  const kinds = (Object.keys(r.byKind) as Kind[]).map((k) => `${k}: ${JSON.stringify(r.byKind[k])}`).join('; ');
  return [
    '| measure | value |',
    '|---|---|',
    `| clients, duration | ${r.args.connections}, ${r.args.seconds} s (adds ${r.args.addShare * 100}%, reads ${r.args.readShare * 100}%, lists the rest) |`,
    `| requests/s (mean) | ${r.requestsPerSecond} (${r.requests} requests) |`,
    `| latency p50 / p99 / max | ${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms |`,
    `| connection errors / timeouts | ${r.errors} / ${r.timeouts} |`,
    `| status codes by kind | ${kinds} |`,
    `| latency p50 / p99 by kind (ms) | ${(Object.keys(r.latencyByKind) as Kind[]).map((k) => `${k} ${r.latencyByKind[k].p50} / ${r.latencyByKind[k].p99}`).join('; ')} |`,
    `| adds unanswered when the run stopped or timed out, then looked up and followed if they exist | ${r.unanswered} |`,
    `| accepted adds that ended | ${r.terminal} / ${r.accepted} after ${r.drainSeconds} s (${JSON.stringify(r.outcomes)}) |`,
    `| check: 0 5xx and no accepted add lost | ${r.passed ? 'passed' : `FAILED${r.lost.length ? ` (not ended: ${r.lost.slice(0, 10).join(', ')}${r.lost.length > 10 ? ', …' : ''})` : ''}`} |`,
  ].join('\n');
}

if (require.main === module) {
  const args = parseLoadArgs(process.argv.slice(2));
  const date = new Date().toISOString();
  console.log(
    `load: ${args.connections} clients for ${args.seconds} s on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
  );
  loadTest(args).then(
    (r) => {
      console.log(`\n${loadReport(r)}`);
      const dir = path.join(REPO, 'bench-results');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `load-${date.replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, JSON.stringify({ date, ...r }, null, 2));
      console.log(`\nwritten ${file}`);
      process.exit(r.passed ? 0 : 1);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
