/**
 * The subscriber's read model, as a pure fold over one request's events in stream order: when it
 * was discovered and completed, how it ended, how many attempts it took, and whether it needs an
 * operator. Times come from the events (the workflow's deterministic times), so the same events give
 * the same model whatever order or how often they were delivered.
 */
import type { InboxEvent } from './events';

export interface RequestSummary {
  requestId: string;
  discoveredAt?: string;
  completedAt?: string;
  outcome?: string;
  attempts: number;
  needsIntervention: boolean;
  interventionReason?: string;
}

export function emptySummary(requestId: string): RequestSummary {
  return { requestId, attempts: 0, needsIntervention: false };
}

export function applyEvent(s: RequestSummary, e: InboxEvent): RequestSummary {
  const d = e.data;
  switch (e.kind) {
    case 'RequestDiscovered':
      return { ...s, discoveredAt: String(d.discoveredAt) };
    case 'SubmissionPrepared':
      return { ...s, attempts: Math.max(s.attempts, Number(d.attempt) || 0) };
    case 'CompensationFailed':
      return { ...s, needsIntervention: true, interventionReason: `${String(d.step)} failed: ${String(d.error)}` };
    case 'RequestCompleted':
      return { ...s, outcome: String(d.outcome), completedAt: String(d.completedAt) };
    default:
      return s;
  }
}

/** One completed request's line in its day's figures. */
export interface DailyLine {
  day: string;
  requestId: string;
  outcome: string;
  durationMs: number;
  attempts: number;
}

export function dailyLine(s: RequestSummary): DailyLine | undefined {
  if (!s.completedAt || !s.outcome) return undefined;
  const durationMs = s.discoveredAt ? Date.parse(s.completedAt) - Date.parse(s.discoveredAt) : 0;
  return {
    day: s.completedAt.slice(0, 10),
    requestId: s.requestId,
    outcome: s.outcome,
    durationMs,
    attempts: s.attempts,
  };
}

export interface OutcomeFigures {
  count: number;
  meanMs: number;
  maxMs: number;
}

/** Per-outcome counts and durations of one day's lines. */
export function dayFigures(lines: DailyLine[]): Record<string, OutcomeFigures> {
  const out: Record<string, OutcomeFigures> = {};
  for (const l of lines) {
    const f = (out[l.outcome] ??= { count: 0, meanMs: 0, maxMs: 0 });
    f.meanMs = (f.meanMs * f.count + l.durationMs) / (f.count + 1);
    f.count++;
    f.maxMs = Math.max(f.maxMs, l.durationMs);
  }
  for (const f of Object.values(out)) f.meanMs = Math.round(f.meanMs);
  return out;
}
