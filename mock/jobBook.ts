/**
 * The mock's jobs: creation idempotent by key, deterministic progression, cancellation.
 * Each status change is recorded with its time, so a test or benchmark can measure how long the
 * workflow took to notice a terminal status (use time-based progression for that: the recorded
 * time is then when the job turned terminal, not when someone looked).
 */
import { randomUUID } from 'node:crypto';
import type { ExternalJobStatus } from '../src/domain/status';
import type { Submission } from '../src/domain/events';
import { DEFAULT_SCENARIO, SCENARIOS, isTerminal, statusAtStep, type Scenario } from './scenarios';

export type Progression = { pollsPerStep: number } | { msPerStep: number };

export interface StatusChange {
  status: ExternalJobStatus;
  at: string;
  reason?: string;
}

export interface MockJob {
  id: string;
  status: ExternalJobStatus;
  attempt: number;
  requestId: string;
  scenario: string;
  createdAt: string;
  updatedAt: string;
  /** When it turned Pass/Fail/FailCanRetry (or was cancelled). */
  terminalAt?: string;
  cancelledAt?: string;
  polls: number;
  history: StatusChange[];
}

export class IdempotencyConflict extends Error {}
export class UnknownJob extends Error {}

interface Entry {
  job: MockJob;
  scenario: Scenario;
  createdMs: number;
  fingerprint: string;
}

export class JobBook {
  private readonly byId = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();

  constructor(
    private readonly progression: Progression,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the job and whether this call created it. */
  create(submission: Submission, idempotencyKey: string): { job: MockJob; created: boolean } {
    const fingerprint = JSON.stringify([submission.requestId, submission.attempt, submission.payload]);
    const existing = this.byKey.get(idempotencyKey);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new IdempotencyConflict(
          `Idempotency-Key '${idempotencyKey}' was used for a different submission (job ${existing.job.id})`,
        );
      }
      return { job: this.view(existing), created: false };
    }
    const scenarioName = submission.payload.scenario ?? DEFAULT_SCENARIO;
    const ms = this.now();
    const at = new Date(ms).toISOString();
    const entry: Entry = {
      scenario: SCENARIOS[scenarioName]!,
      createdMs: ms,
      fingerprint,
      job: {
        id: `job-${randomUUID()}`,
        status: 'Created',
        attempt: submission.attempt,
        requestId: submission.requestId,
        scenario: scenarioName,
        createdAt: at,
        updatedAt: at,
        polls: 0,
        history: [{ status: 'Created', at }],
      },
    };
    this.byId.set(entry.job.id, entry);
    this.byKey.set(idempotencyKey, entry);
    return { job: this.view(entry), created: true };
  }

  /** A poll: advances the job by its progression, then returns it. */
  poll(id: string): MockJob {
    const entry = this.entry(id);
    entry.job.polls += 1;
    this.advance(entry);
    return this.view(entry);
  }

  /** Cancels a job that is not terminal yet (it ends as Fail); a terminal job is left as it is. */
  cancel(id: string): MockJob {
    const entry = this.entry(id);
    this.advance(entry);
    if (!isTerminal(entry.job.status)) {
      const at = new Date(this.now()).toISOString();
      this.change(entry, 'Fail', at, 'cancelled');
      entry.job.cancelledAt = at;
    }
    return this.view(entry);
  }

  /** Inspection without counting as a poll. */
  peek(id: string): MockJob | undefined {
    const entry = this.byId.get(id);
    return entry ? this.view(entry) : undefined;
  }

  /** The service's Idempotency-Key retention ran out: a key seen before creates a new job again. */
  forgetIdempotencyKeys(): void {
    this.byKey.clear();
  }

  all(): MockJob[] {
    return [...this.byId.values()].map((e) => this.view(e));
  }

  private entry(id: string): Entry {
    const entry = this.byId.get(id);
    if (!entry) throw new UnknownJob(`no job '${id}'`);
    return entry;
  }

  private advance(entry: Entry): void {
    if (isTerminal(entry.job.status)) return;
    const p = this.progression;
    const step =
      'msPerStep' in p
        ? Math.floor((this.now() - entry.createdMs) / p.msPerStep)
        : Math.floor(entry.job.polls / p.pollsPerStep);
    // Walk through every step reached, so history shows each change even if polls were sparse.
    for (let s = 1; s <= step; s++) {
      const status = statusAtStep(entry.scenario, entry.job.attempt, s);
      if (status === entry.job.status) continue;
      const at =
        'msPerStep' in p
          ? new Date(entry.createdMs + s * p.msPerStep).toISOString()
          : new Date(this.now()).toISOString();
      this.change(entry, status, at);
      if (isTerminal(status)) return;
    }
  }

  private change(entry: Entry, status: ExternalJobStatus, at: string, reason?: string): void {
    const { job } = entry;
    job.status = status;
    job.updatedAt = at;
    job.history.push(reason ? { status, at, reason } : { status, at });
    if (isTerminal(status)) job.terminalAt = at;
  }

  private view(entry: Entry): MockJob {
    return structuredClone(entry.job);
  }
}
