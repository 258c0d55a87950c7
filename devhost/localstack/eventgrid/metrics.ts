/**
 * Per-subscription delivery figures, the local counterpart of Event Grid's subscription metrics
 * (MatchedEventCount, DeliverySuccessCount, DeliveryAttemptFailCount, DeadLetteredCount,
 * DroppedEventCount, DestinationProcessingDurationInMs). Latency is publish-accepted to delivered.
 */
export interface SubscriptionMetrics {
  subscription: string;
  /** Events that passed the subscription's filters. */
  matched: number;
  /** Events acknowledged (200-204) by the destination. */
  delivered: number;
  /** Delivery attempts, first tries included. */
  attempts: number;
  /** Attempts that failed (error status, timeout, connection refused). */
  failedAttempts: number;
  /** Attempts beyond an event's first. */
  retried: number;
  deadLettered: number;
  /** Undeliverable events with no dead-letter destination (or a failed dead-letter write). */
  dropped: number;
  /** Matched events not yet delivered, dead-lettered or dropped. */
  pending: number;
  latencyMs: { p50: number; p95: number; max: number; count: number };
}

export class MetricsBook {
  private readonly rows = new Map<
    string,
    Omit<SubscriptionMetrics, 'latencyMs' | 'subscription'> & { latencies: number[] }
  >();

  constructor(names: string[]) {
    for (const n of names)
      this.rows.set(n, {
        matched: 0,
        delivered: 0,
        attempts: 0,
        failedAttempts: 0,
        retried: 0,
        deadLettered: 0,
        dropped: 0,
        pending: 0,
        latencies: [],
      });
  }

  matched(name: string): void {
    const r = this.row(name);
    r.matched++;
    r.pending++;
  }

  attempt(name: string, isRetry: boolean, ok: boolean): void {
    const r = this.row(name);
    r.attempts++;
    if (isRetry) r.retried++;
    if (!ok) r.failedAttempts++;
  }

  delivered(name: string, latencyMs: number): void {
    const r = this.row(name);
    r.delivered++;
    r.pending--;
    r.latencies.push(latencyMs);
  }

  ended(name: string, how: 'deadLettered' | 'dropped'): void {
    const r = this.row(name);
    r[how]++;
    r.pending--;
  }

  pending(): number {
    let n = 0;
    for (const r of this.rows.values()) n += r.pending;
    return n;
  }

  snapshot(): SubscriptionMetrics[] {
    return [...this.rows.entries()].map(([subscription, r]) => {
      const { latencies, ...counts } = r;
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        subscription,
        ...counts,
        latencyMs: {
          p50: percentile(sorted, 0.5),
          p95: percentile(sorted, 0.95),
          max: sorted[sorted.length - 1] ?? 0,
          count: sorted.length,
        },
      };
    });
  }

  private row(name: string): NonNullable<ReturnType<typeof this.rows.get>> {
    const r = this.rows.get(name);
    if (!r) throw new Error(`no subscription '${name}'`);
    return r;
  }
}

/** Nearest-rank percentile of an ascending list (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
