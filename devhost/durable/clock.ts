/**
 * Time as the engine sees it. Orchestrators read it through OrchestratorStarted timestamps and
 * timers fire against it, so a virtual clock makes long waits instant and runs deterministic.
 */
export interface Clock {
  readonly kind: 'real' | 'virtual';
  now(): Date;
  /**
   * Virtual clocks only: move time forward to `to` (never backwards). The engine calls this when
   * nothing is runnable and the next piece of work is due at `to`.
   */
  advanceTo?(to: Date): void;
}

export function realClock(): Clock {
  return { kind: 'real', now: () => new Date() };
}

export interface VirtualClock extends Clock {
  readonly kind: 'virtual';
  advanceTo(to: Date): void;
  /** Moves time forward by `ms` (for tests that want to age something explicitly). */
  advanceBy(ms: number): void;
}

export function virtualClock(start: Date = new Date('2024-01-01T00:00:00.000Z')): VirtualClock {
  let current = start.getTime();
  return {
    kind: 'virtual',
    now: () => new Date(current),
    advanceTo(to: Date): void {
      current = Math.max(current, to.getTime());
    },
    advanceBy(ms: number): void {
      if (!(ms >= 0)) throw new RangeError(`advanceBy: ms must be a non-negative number, got ${ms}`);
      current += ms;
    },
  };
}
