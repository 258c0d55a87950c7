/**
 * Scripted workflow steps that behave like the real ones (src/application/steps): each keeps the
 * request's stream version, appends what the real decider would, and checks that the orchestrator
 * passes the version it last saw. Poll answers come from a per-attempt script of job statuses.
 * They are typed by the steps object (StepHandlers), so a changed step signature breaks them at compile time.
 */
import type { ScriptedActivity } from '@saga/devhost/testkit';
import type { StepHandlers, StepName, StepOutput, StepParams } from '../../src/application/workflow/contracts';
import type { ResumePoint } from '../../src/domain/resume';
import type { ExternalJobStatus } from '../../src/domain/status';

export interface FakeOptions {
  /** Job statuses each poll returns, per attempt (the last one repeats). */
  polls: Record<number, ExternalJobStatus[]>;
  maxAttempts?: number;
  submit?: 'ok' | 'refused';
  cancel?: 'ok' | 'refused';
  /** Make the first call of these steps throw a transient error. */
  failOnce?: StepName[];
  /** Steps whose fast-path publish fails: they report the versions they appended as unpublished. */
  unpublishedFrom?: StepName[];
  publish?: 'ok' | 'down';
  /** A restarted instance: the stream already holds this many events, and admit reports where to resume. */
  restartedAt?: { version: number; resume: ResumePoint; admittedAt: string };
  /** With publish 'ok': the first this-many publish calls still fail (an outage that ends). */
  publishFailsFirst?: number;
}

export interface Fake {
  steps: StepHandlers;
  /** The steps as the test kit takes them (activity name → handler). */
  activities: Record<string, ScriptedActivity>;
  version(): number;
  /** Invocations per step, including ones that threw. */
  calls: Partial<Record<StepName, number>>;
  /** Events each step appended to the stream (what a retried call must not duplicate). */
  appended: Partial<Record<StepName, number>>;
}

type AppendingStep = Exclude<StepName, 'publishEvents'>;
/** What a step adds to `{ ok: true, version, unpublished }`. */
type Extra<K extends AppendingStep> = Omit<Extract<StepOutput<K>, { ok: true }>, 'ok' | 'version' | 'unpublished'>;

/** The test kit's activity map for typed step handlers; the input is the JSON the orchestrator scheduled. */
export function activitiesOf(steps: StepHandlers): Record<string, ScriptedActivity> {
  return Object.fromEntries(
    Object.entries(steps).map(([name, handler]) => [name, (input: unknown) => handler(input as never)]),
  );
}

export function fakeSteps(o: FakeOptions): Fake {
  let version = 0;
  const calls: Fake['calls'] = {};
  const appended: Fake['appended'] = {};
  const last: Record<number, ExternalJobStatus> = {};
  const pollIndex: Record<number, number> = {};
  const maxAttempts = o.maxAttempts ?? 3;
  const count = (name: StepName): number => (calls[name] = (calls[name] ?? 0) + 1);

  const step =
    <K extends AppendingStep>(name: K, body: (input: StepParams<K>) => { appended: number; result: Extra<K> }) =>
    (input: StepParams<K>): StepOutput<K> => {
      if (count(name) === 1 && o.failOnce?.includes(name))
        throw new Error(`[Transient] ${name}: 503 from a dependency`);
      if (input.expectedVersion !== version)
        throw new Error(`[Concurrency] ${name} expected v${input.expectedVersion}, stream is at v${version}`);
      const r = body(input);
      const from = version + 1;
      version += r.appended;
      appended[name] = (appended[name] ?? 0) + r.appended;
      const lost = o.unpublishedFrom?.includes(name) ? Array.from({ length: r.appended }, (_, k) => from + k) : [];
      return { ok: true, version, unpublished: lost, ...r.result } as StepOutput<K>;
    };
  const refused =
    <K extends AppendingStep>(name: K, error: string) =>
    (input: StepParams<K>): StepOutput<K> => {
      count(name);
      return { ok: false, version: input.expectedVersion, error, code: 'NonRetriable' } as StepOutput<K>;
    };

  const steps: StepHandlers = {
    admitRequest: o.restartedAt
      ? (input) => {
          const r = o.restartedAt!;
          count('admitRequest');
          if (input.expectedVersion !== 0) throw new Error('[Concurrency] admit expects v0');
          version = r.version;
          if (r.resume.at === 'poll') last[r.resume.attempt] = r.resume.lastStatus;
          return { ok: true, version, unpublished: [], resume: r.resume, admittedAt: r.admittedAt };
        }
      : step('admitRequest', () => ({ appended: 1, result: {} })),
    prepareSubmission: step('prepareSubmission', (i) => ({
      appended: 1,
      result: { submission: { requestId: i.requestId, attempt: i.attempt, payload: {} } },
    })),
    submitJob:
      o.submit === 'refused'
        ? refused('submitJob', '[NonRetriable] external service answered 400: payload rejected')
        : step('submitJob', (i) => {
            last[i.attempt] = 'Created';
            return { appended: 1, result: { externalJobId: `job-${String(i.attempt)}` } };
          }),
    pollJob: step('pollJob', (i) => {
      const script = o.polls[i.attempt] ?? ['Inprogress'];
      const n = pollIndex[i.attempt] ?? 0;
      pollIndex[i.attempt] = n + 1;
      const status = script[Math.min(n, script.length - 1)];
      if (status === undefined) throw new Error(`fake pollJob: the poll script of attempt ${i.attempt} is empty`);
      const previous = last[i.attempt] ?? 'Created';
      last[i.attempt] = status;
      if (status === 'Pass' || status === 'Fail')
        return { appended: 1, result: { status, outcome: status, retry: false } };
      if (status === 'FailCanRetry' && i.attempt >= maxAttempts)
        return { appended: 1, result: { status, outcome: 'Fail' as const, retry: false } };
      return { appended: previous === status ? 0 : 1, result: { status, retry: status === 'FailCanRetry' } };
    }),
    cancelJob:
      o.cancel === 'refused'
        ? refused('cancelJob', '[NonRetriable] cancel refused: 409 job is locked')
        : step('cancelJob', () => ({ appended: 1, result: {} })),
    completeRequest: step('completeRequest', () => ({ appended: 1, result: {} })),
    recordCompensationFailure: step('recordCompensationFailure', () => ({ appended: 1, result: {} })),
    publishEvents: (input) => {
      const n = count('publishEvents');
      if (o.publish === 'down' || n <= (o.publishFailsFirst ?? 0)) throw new Error('[Transient] topic answered 503');
      return { published: input.versions.length };
    },
  };
  return { steps, activities: activitiesOf(steps), version: () => version, calls, appended };
}
