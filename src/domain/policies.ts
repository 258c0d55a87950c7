/**
 * Timing and retry rules of one request's workflow. Pure: the orchestrator receives the policy as
 * input (never reads configuration itself), so replays see the same numbers.
 */
import { DomainValidationError } from './errors';

export interface WorkflowPolicy {
  /** Seconds before the first poll after a submission. */
  pollInitialDelaySeconds: number;
  /** Each poll interval is the previous one times this (>= 1). */
  pollBackoffFactor: number;
  /** Upper bound of a poll interval; bounds how late a terminal status is noticed. */
  pollMaxIntervalSeconds: number;
  /** Seconds from admission after which the request times out. */
  deadlineSeconds: number;
  /** Submission attempts, counting the first; FailCanRetry resubmits while attempts remain. */
  maxAttempts: number;
  /** Polls per orchestration execution before continueAsNew keeps the history short. */
  pollsPerExecution: number;
}

export const DEFAULT_WORKFLOW_POLICY: Readonly<WorkflowPolicy> = Object.freeze({
  pollInitialDelaySeconds: 15,
  pollBackoffFactor: 2,
  pollMaxIntervalSeconds: 300,
  deadlineSeconds: 86_400,
  maxAttempts: 3,
  pollsPerExecution: 20,
});

/** Wait before poll number `pollIndex` (0 = first poll of an attempt): exponential, capped. */
export function pollDelaySeconds(pollIndex: number, policy: WorkflowPolicy): number {
  const index = Math.max(0, Math.floor(pollIndex));
  // Grows geometrically, so a huge index overflows to Infinity; the cap keeps the result finite.
  const delay = policy.pollInitialDelaySeconds * Math.pow(policy.pollBackoffFactor, index);
  return Math.min(delay, policy.pollMaxIntervalSeconds);
}

/** ISO 8601 instant after which the request times out. */
export function deadlineAt(admittedAt: string, policy: Pick<WorkflowPolicy, 'deadlineSeconds'>): string {
  const start = Date.parse(admittedAt);
  if (Number.isNaN(start))
    throw new DomainValidationError('admittedAt', `admittedAt '${admittedAt}' is not an ISO 8601 date-time`);
  return new Date(start + policy.deadlineSeconds * 1000).toISOString();
}

/** True once `now` has reached the deadline (both ISO 8601). */
export function isPastDeadline(now: string, deadline: string): boolean {
  const n = Date.parse(now);
  const d = Date.parse(deadline);
  if (Number.isNaN(n)) throw new DomainValidationError('now', `now '${now}' is not an ISO 8601 date-time`);
  if (Number.isNaN(d))
    throw new DomainValidationError('deadline', `deadline '${deadline}' is not an ISO 8601 date-time`);
  return n >= d;
}

/** Whether another submission may follow attempt `attempt` (1-based). */
export function canRetry(attempt: number, policy: Pick<WorkflowPolicy, 'maxAttempts'>): boolean {
  return attempt < policy.maxAttempts;
}

export interface PolicyProblem {
  field: keyof WorkflowPolicy;
  problem: string;
}

/** Every rule the policy breaks (empty when valid), so callers can report them all at once. */
export function policyProblems(p: WorkflowPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const positive = (field: keyof WorkflowPolicy): void => {
    const v = p[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      problems.push({ field, problem: `must be a positive number, got ${String(v)}` });
  };
  const positiveInteger = (field: keyof WorkflowPolicy): void => {
    const v = p[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      problems.push({ field, problem: `must be a positive integer, got ${String(v)}` });
  };
  positive('pollInitialDelaySeconds');
  positive('pollMaxIntervalSeconds');
  positive('deadlineSeconds');
  positiveInteger('maxAttempts');
  positiveInteger('pollsPerExecution');
  const f = p.pollBackoffFactor;
  if (typeof f !== 'number' || !Number.isFinite(f) || f < 1) {
    problems.push({
      field: 'pollBackoffFactor',
      problem: `must be a number >= 1 (intervals never shrink), got ${String(f)}`,
    });
  }
  return problems;
}

/** Returns the policy when valid; otherwise throws naming every bad field. */
export function validatePolicy(p: WorkflowPolicy): WorkflowPolicy {
  const problems = policyProblems(p);
  if (problems.length > 0) {
    throw new DomainValidationError(
      problems.map((x) => x.field).join(','),
      `invalid workflow policy: ${problems.map((x) => `${x.field} ${x.problem}`).join('; ')}`,
    );
  }
  return p;
}
