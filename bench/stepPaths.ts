/**
 * Before/after of the hot-path change, in one run against the same servers: the same workflow steps
 * deciding from the stream (the old path, one stream query per step; forced here by a projection
 * that never offers its state) and from the projection's stored state (one point read per step).
 * Batches alternate between the two so machine noise hits both alike.
 */
import type { RequestProjection } from '../src/application/ports';
import { createWorkflowSteps, type WorkflowSteps } from '../src/application/steps/workflowSteps';
import { loadConfig } from '../src/infrastructure/config/loadConfig';
import { buildServices, type Services } from '../src/infrastructure/services';
import { localSettings, startLocalStack } from '../localdev/demo/localStack';
import { percentile, round } from './endToEnd';
import type { Counts, HttpCounter } from './httpCounter';

/** admit, prepare, submit, 5 polls (the job stays Created: nothing to record), cancel, complete. */
const STEPS_PER_REQUEST = 10;
const POLLS = 5;

export interface PathResult {
  steps: number;
  stepsPerSecond: number;
  stepMs: { p50: number; p95: number };
  cosmosRequestsPerStep: Counts;
}
export interface StepPaths {
  requests: number;
  concurrency: number;
  fromStream: PathResult;
  fromView: PathResult;
  speedup: number;
}

export async function stepPaths(http: HttpCounter, requests = 400, concurrency = 16): Promise<StepPaths> {
  // Jobs that never move within the run: every poll is the common "no change" case.
  const stack = await startLocalStack({
    cosmosProcess: true,
    mock: { auth: 'off', progression: { msPerStep: 3_600_000 } },
  });
  try {
    http.watch({ [new URL(stack.cosmos.endpoint).port]: 'cosmos' });
    const services = await buildServices(loadConfig(localSettings(stack)));
    const variants = {
      fromStream: createWorkflowSteps({ ...services, projection: withoutState(services.projection) }),
      fromView: services.steps,
    };
    const acc = { fromStream: newAcc(), fromView: newAcc() };
    const batch = concurrency * 2;
    for (let start = 0; start < requests; start += batch) {
      for (const name of ['fromStream', 'fromView'] as const) {
        const ids = Array.from({ length: Math.min(batch, requests - start) }, (_, i) => `bench-${name}-${start + i}`);
        http.take();
        const t0 = performance.now();
        await pool(ids, concurrency, (id) => runRequest(services, variants[name], id, acc[name].stepMs));
        acc[name].seconds += (performance.now() - t0) / 1000;
        acc[name].steps += ids.length * STEPS_PER_REQUEST;
        for (const [k, v] of Object.entries(http.take())) acc[name].counts[k] = (acc[name].counts[k] ?? 0) + v;
      }
    }
    const fromStream = result(acc.fromStream);
    const fromView = result(acc.fromView);
    return {
      requests,
      concurrency,
      fromStream,
      fromView,
      speedup: round(fromView.stepsPerSecond / fromStream.stepsPerSecond, 2),
    };
  } finally {
    await stack.stop();
  }
}

function withoutState(projection: RequestProjection): RequestProjection {
  return {
    apply: (id, events) => projection.apply(id, events),
    get: (id) => projection.get(id),
    getState: () => Promise.resolve(undefined),
    list: (q) => projection.list(q),
    counts: () => projection.counts(),
    rebuild: (s) => projection.rebuild(s),
  };
}

async function runRequest(s: Services, steps: WorkflowSteps, id: string, stepMs: number[]): Promise<void> {
  const now = new Date().toISOString();
  const base = { requestId: id, now, correlationId: id };
  const timed = async <T extends { ok: boolean }>(run: () => Promise<T>): Promise<T & { version: number }> => {
    const t0 = performance.now();
    const r = (await run()) as T & { version: number };
    stepMs.push(performance.now() - t0);
    if (!r.ok) throw new Error(`bench step failed for ${id}: ${JSON.stringify(r)}`);
    return r;
  };
  const row = await s.intake.add({ partitionKey: 'bench', rowKey: id }, { scenario: 'pass' });
  await s.intake.claim(row, { claimedAt: now, checkAt: now });
  let v = (
    await timed(() =>
      steps.admitRequest({ ...base, expectedVersion: 0, intake: row.ref, payload: { scenario: 'pass' } }),
    )
  ).version;
  const prepared = await timed(() => steps.prepareSubmission({ ...base, expectedVersion: v, attempt: 1 }));
  if (!prepared.ok) return;
  const submitted = await timed(() =>
    steps.submitJob({ ...base, expectedVersion: prepared.version, attempt: 1, submission: prepared.submission }),
  );
  if (!submitted.ok) return;
  v = submitted.version;
  for (let i = 0; i < POLLS; i++) {
    v = (
      await timed(() =>
        steps.pollJob({
          ...base,
          expectedVersion: v,
          attempt: 1,
          externalJobId: submitted.externalJobId,
          lastStatus: 'Created',
          maxAttempts: 3,
        }),
      )
    ).version;
  }
  v = (
    await timed(() =>
      steps.cancelJob({
        ...base,
        expectedVersion: v,
        attempt: 1,
        externalJobId: submitted.externalJobId,
        reason: 'bench',
      }),
    )
  ).version;
  await timed(() =>
    steps.completeRequest({ ...base, expectedVersion: v, intake: row.ref, outcome: 'Cancelled', reason: 'bench' }),
  );
}

interface Acc {
  seconds: number;
  steps: number;
  stepMs: number[];
  counts: Counts;
}
const newAcc = (): Acc => ({ seconds: 0, steps: 0, stepMs: [], counts: {} });

function result(a: Acc): PathResult {
  return {
    steps: a.steps,
    stepsPerSecond: round(a.steps / a.seconds),
    stepMs: { p50: round(percentile(a.stepMs, 50)), p95: round(percentile(a.stepMs, 95)) },
    cosmosRequestsPerStep: Object.fromEntries(
      Object.entries(a.counts)
        .sort()
        .map(([k, v]) => [k.replace(/^cosmos /, ''), round(v / a.steps, 2)]),
    ),
  };
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every worker: each item is taken exactly once.
  const queue = items.values();
  const worker = async (): Promise<void> => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
