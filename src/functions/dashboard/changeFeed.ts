/**
 * Changed request views for the dashboard's live updates, polled once per process however many
 * browsers listen: one query every 2 s for views updated after the newest one seen, kept in a short
 * ring that each waiting stream reads from. Counts are shared the same way (at most one computation
 * every 2 s, however many pages ask).
 */
import type { RequestProjection, RequestView, ViewCounts } from '../../application/ports';

// Each poll is one query; on the emulator (no indexes) it scans every view, so not more often than this.
const POLL_MS = 2000;
const COUNTS_MS = 2000;
const RING = 500;

export interface Changes {
  items: RequestView[];
  counts?: ViewCounts;
  newest: string;
}

export class ChangeFeed {
  private ring: RequestView[] = [];
  private newest = new Date().toISOString();
  private counts: { at: number; value: Promise<ViewCounts> } | undefined;
  private polling: Promise<void> | undefined;
  private lastPoll = 0;

  constructor(private readonly projection: RequestProjection) {}

  /** Waits up to `timeoutMs` for views updated after `since`. */
  async waitSince(since: string, timeoutMs: number): Promise<Changes> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const items = this.ring.filter((v) => v.updatedAt > since);
      if (items.length > 0) {
        return {
          items,
          counts: await this.currentCounts(),
          newest: items.reduce((a, v) => (v.updatedAt > a ? v.updatedAt : a), since),
        };
      }
      if (Date.now() >= until) return { items: [], newest: since };
      await this.poll();
    }
  }

  /** Counts no older than COUNTS_MS; concurrent callers share one computation. */
  currentCounts(): Promise<ViewCounts> {
    if (!this.counts || Date.now() - this.counts.at > COUNTS_MS) {
      const value = this.projection.counts();
      this.counts = { at: Date.now(), value };
      value.catch(() => (this.counts = undefined));
    }
    return this.counts.value;
  }

  /** One shared poll at a time, at most one per POLL_MS. */
  private poll(): Promise<void> {
    this.polling ??= (async () => {
      const wait = this.lastPoll + POLL_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastPoll = Date.now();
      const page = await this.projection.list({ updatedFrom: this.newest, top: RING });
      const fresh = page.items.filter((v) => v.updatedAt > this.newest);
      if (fresh.length > 0) {
        this.newest = fresh.reduce((a, v) => (v.updatedAt > a ? v.updatedAt : a), this.newest);
        const ids = new Set(fresh.map((v) => v.id));
        this.ring = [...this.ring.filter((v) => !ids.has(v.id)), ...fresh].slice(-RING);
      }
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }
}
