/**
 * Pending messages by due time, shared by the memory store and the table store's record of the
 * messages it wrote: finding what is due costs what is due, not what is pending.
 */

/** What the index orders by: due time (epoch ms), then the sender's sequence number. */
export interface Due {
  dueAt: number;
  seq: number;
}

/**
 * A min-heap of messages not yet due and a set of those that are.
 * Entries are dropped lazily: one whose message was deleted or replaced (`live` false) is skipped.
 */
export class DueIndex<T extends Due> {
  private readonly heap: T[] = [];
  private readonly ready = new Set<T>();

  constructor(private readonly live: (m: T) => boolean) {}

  add(m: T): void {
    const h = this.heap;
    h.push(m);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Live messages due at or before `now`, ordered by dueAt then seq. */
  dueAt(now: number): T[] {
    this.settle(now);
    const out: T[] = [];
    for (const m of this.ready) {
      if (!this.live(m)) this.ready.delete(m);
      else if (m.dueAt <= now) out.push(m);
    }
    return out.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
  }

  /** Earliest dueAt of a live message later than `now`. */
  nextAfter(now: number): number | undefined {
    this.settle(now);
    while (this.heap.length && !this.live(this.heap[0]!)) this.pop();
    let next = this.heap[0]?.dueAt;
    // Moved to `ready` by a look at a later time than this one (only when a caller's clock goes back).
    for (const m of this.ready)
      if (this.live(m) && m.dueAt > now && (next === undefined || m.dueAt < next)) next = m.dueAt;
    return next;
  }

  /** Moves the messages due by `now` from the heap to `ready`. */
  private settle(now: number): void {
    while (this.heap.length && this.heap[0]!.dueAt <= now) {
      const m = this.pop();
      if (this.live(m)) this.ready.add(m);
    }
  }

  private pop(): T {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Due, b: Due): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
}
