/**
 * Scripted workflow steps that behave like the real ones (src/application/steps): each keeps the
 * request's stream version, appends what the real decider would, and checks that the orchestrator
 * passes the version it last saw. Poll answers come from a per-attempt script of job statuses.
 */
import type { ResumePoint } from '../../src/domain/resume';
import type { ExternalJobStatus } from '../../src/domain/status';
import { ACTIVITY } from '../../src/application/workflow/contracts';
import type { ScriptedActivity } from '../../devhost/testkit';

export interface FakeOptions {
  /** Job statuses each poll returns, per attempt (the last one repeats). */
  polls: Record<number, ExternalJobStatus[]>;
  maxAttempts?: number;
  submit?: 'ok' | 'refused';
  cancel?: 'ok' | 'refused';
  /** Make the first call of these activities throw a transient error. */
  failOnce?: string[];
  /** Steps whose fast-path publish fails: they report the versions they appended as unpublished. */
  unpublishedFrom?: string[];
  publish?: 'ok' | 'down';
  /** A restarted instance: the stream already holds this many events, and admit reports where to resume. */
  restartedAt?: { version: number; resume: ResumePoint; admittedAt: string };
  /** With publish 'ok': the first this-many publish calls still fail (an outage that ends). */
  publishFailsFirst?: number;
}

export interface Fake {
  activities: Record<string, ScriptedActivity>;
  version(): number;
  /** Invocations per activity, including ones that threw. */
  calls: Record<string, number>;
  /** Events each activity appended to the stream (what a retried call must not duplicate). */
  appended: Record<string, number>;
}

export function fakeSteps(o: FakeOptions): Fake {
  let version = 0;
  const calls: Record<string, number> = {};
  const appended: Record<string, number> = {};
  const last: Record<number, ExternalJobStatus> = {};
  const pollIndex: Record<number, number> = {};
  const maxAttempts = o.maxAttempts ?? 3;

  const step = (name: string, body: (input: Record<string, unknown>) => Record<string, unknown> | { appended: number; result?: Record<string, unknown> }) =>
    (input: unknown): unknown => {
      calls[name] = (calls[name] ?? 0) + 1;
      if (o.failOnce?.includes(name) && calls[name] === 1) throw new Error(`[Transient] ${name}: 503 from a dependency`);
      const i = input as Record<string, unknown>;
      if (typeof i.expectedVersion === 'number' && i.expectedVersion !== version) {
        throw new Error(`[Concurrency] ${name} expected v${i.expectedVersion}, stream is at v${version}`);
      }
      const r = body(i) as { appended: number; result?: Record<string, unknown> };
      const from = version + 1;
      version += r.appended;
      appended[name] = (appended[name] ?? 0) + r.appended;
      const lost = o.unpublishedFrom?.includes(name) ? Array.from({ length: r.appended }, (_, k) => from + k) : [];
      return { ok: true, version, unpublished: lost, ...r.result };
    };
  const refused = (name: string, error: string) => (input: unknown): unknown => {
    calls[name] = (calls[name] ?? 0) + 1;
    return { ok: false, version: (input as { expectedVersion: number }).expectedVersion, error, code: 'NonRetriable' };
  };

  const activities: Record<string, ScriptedActivity> = {
    [ACTIVITY.admit]: o.restartedAt
      ? (input: unknown): unknown => {
        const r = o.restartedAt!;
        calls[ACTIVITY.admit] = (calls[ACTIVITY.admit] ?? 0) + 1;
        if ((input as { expectedVersion: number }).expectedVersion !== 0) throw new Error('[Concurrency] admit expects v0');
        version = r.version;
        if (r.resume.at === 'poll') last[r.resume.attempt] = r.resume.lastStatus;
        return { ok: true, version, unpublished: [], resume: r.resume, admittedAt: r.admittedAt };
      }
      : step(ACTIVITY.admit, () => ({ appended: 1 })),
    [ACTIVITY.prepare]: step(ACTIVITY.prepare, (i) => ({ appended: 1, result: { submission: { requestId: i.requestId, attempt: i.attempt, payload: {} } } })),
    [ACTIVITY.submit]: o.submit === 'refused'
      ? refused(ACTIVITY.submit, '[NonRetriable] external service answered 400: payload rejected')
      : step(ACTIVITY.submit, (i) => {
        last[i.attempt as number] = 'Created';
        return { appended: 1, result: { externalJobId: `job-${String(i.attempt)}` } };
      }),
    [ACTIVITY.poll]: step(ACTIVITY.poll, (i) => {
      const attempt = i.attempt as number;
      const script = o.polls[attempt] ?? ['Inprogress'];
      const n = pollIndex[attempt] ?? 0;
      pollIndex[attempt] = n + 1;
      const status = script[Math.min(n, script.length - 1)];
      const previous = last[attempt] ?? 'Created';
      last[attempt] = status;
      if (status === 'Pass' || status === 'Fail') return { appended: 1, result: { status, outcome: status, retry: false } };
      if (status === 'FailCanRetry') {
        if (attempt >= maxAttempts) return { appended: 1, result: { status, outcome: 'Fail', retry: false } };
        return { appended: previous === status ? 0 : 1, result: { status, retry: true } };
      }
      return { appended: previous === status ? 0 : 1, result: { status, retry: false } };
    }),
    [ACTIVITY.cancelJob]: o.cancel === 'refused'
      ? refused(ACTIVITY.cancelJob, '[NonRetriable] cancel refused: 409 job is locked')
      : step(ACTIVITY.cancelJob, () => ({ appended: 1 })),
    [ACTIVITY.complete]: step(ACTIVITY.complete, () => ({ appended: 1 })),
    [ACTIVITY.recordCompensationFailure]: step(ACTIVITY.recordCompensationFailure, () => ({ appended: 1 })),
    [ACTIVITY.publish]: (input: unknown) => {
      calls[ACTIVITY.publish] = (calls[ACTIVITY.publish] ?? 0) + 1;
      if (o.publish === 'down' || calls[ACTIVITY.publish] <= (o.publishFailsFirst ?? 0)) throw new Error('[Transient] topic answered 503');
      return { published: (input as { versions: number[] }).versions.length };
    },
  };
  return { activities, version: () => version, calls, appended };
}
