/**
 * Where a workflow started again for a request that already has events picks up (a Failed or
 * Terminated instance restarted by discovery). The stream is the truth: the new instance continues
 * from the state it folds to instead of replaying commands that no longer fit.
 */
import type { RequestState } from './state';
import type { ExternalJobStatus, Outcome } from './status';

export type ResumePoint =
  /** Admitted only: run from the first attempt. */
  | { at: 'prepare'; attempt: number }
  /** An attempt's job is (or may be) running: poll it. */
  | { at: 'poll'; attempt: number; externalJobId: string; lastStatus: ExternalJobStatus }
  /** The job's fate is known (or it was cancelled by compensation): only completion is left. */
  | { at: 'complete'; attempt: number; outcome?: 'Pass' | 'Fail'; compensated: boolean; reason?: string }
  /** Nothing is left to do; `needsIntervention` when a compensation failed. */
  | { at: 'done'; attempt: number; outcome?: Outcome; reason?: string; needsIntervention: boolean };

export function resumePoint(s: RequestState): ResumePoint {
  if (s.needsIntervention || s.completedAt !== undefined) {
    return {
      at: 'done',
      attempt: s.attempt,
      outcome: s.outcome,
      reason: s.reason,
      needsIntervention: s.needsIntervention,
    };
  }
  if (s.stage === 'Terminal') {
    return {
      at: 'complete',
      attempt: s.attempt,
      outcome: s.outcome === 'Pass' || s.outcome === 'Fail' ? s.outcome : undefined,
      compensated: s.jobCancelled,
      reason: s.reason,
    };
  }
  if ((s.stage === 'Submitted' || s.stage === 'Polling') && s.externalJobId !== undefined) {
    // A FailCanRetry with attempts left was seen, but the next attempt was never prepared.
    if (s.lastExternalStatus === 'FailCanRetry') return { at: 'prepare', attempt: s.attempt + 1 };
    return {
      at: 'poll',
      attempt: s.attempt,
      externalJobId: s.externalJobId,
      lastStatus: s.lastExternalStatus ?? 'Created',
    };
  }
  // Discovered, or Prepared (preparing the same attempt again is a no-op that returns its submission).
  return { at: 'prepare', attempt: Math.max(1, s.attempt) };
}
