/** Fault knobs of the mock: deterministic error rate, added latency, a queue of forced failures. */
export interface FaultOptions {
  /** Fraction (0..1) of requests answered 503, drawn from a seeded PRNG so runs repeat. */
  errorRate?: number;
  /** PRNG seed for errorRate (default 1). */
  seed?: number;
  /** Delay added before every answer. */
  latencyMs?: number;
}

export class Faults {
  private random: () => number;
  private forced: number[] = [];

  constructor(private options: FaultOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
  }

  set(options: FaultOptions): void {
    this.options = options;
    this.random = mulberry32(options.seed ?? 1);
  }

  failNext(n: number, status = 503): void {
    this.forced = Array.from({ length: n }, () => status);
  }

  get latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  /** The status to fail this request with, or undefined to serve it. */
  draw(): number | undefined {
    const forced = this.forced.shift();
    if (forced !== undefined) return forced;
    const rate = this.options.errorRate ?? 0;
    return rate > 0 && this.random() < rate ? 503 : undefined;
  }
}

/** Small, well-known 32-bit PRNG; enough for repeatable fault patterns. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
