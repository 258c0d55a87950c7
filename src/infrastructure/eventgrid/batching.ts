/**
 * Splits CloudEvents into publish requests that stay under Event Grid's custom-topic limits
 * (azure-facts §1.3: 5,000 events, 1 MB per request, 1 MB per event).
 */
export interface BatchLimits {
  maxEvents: number;
  maxRequestBytes: number;
  maxEventBytes: number;
}

/**
 * "1 MB" is read as 1,000,000 bytes, the stricter of the two readings, and the SDK's own
 * serialization may differ from ours by a few bytes per event (e.g. `time` re-rendered), hence
 * the headroom on the request size.
 */
export const EVENT_GRID_LIMITS: Readonly<BatchLimits> = {
  maxEvents: 5000,
  maxRequestBytes: 1_000_000 - 16 * 1024,
  maxEventBytes: 1_000_000 - 1024,
};

export interface Batches<T> {
  batches: T[][];
  /** Items that can never be sent because they alone exceed the per-event limit. */
  oversized: { item: T; bytes: number }[];
}

export function splitIntoBatches<T>(
  items: readonly T[],
  limits: BatchLimits,
  sizeOf: (item: T) => number = jsonBytes,
): Batches<T> {
  const batches: T[][] = [];
  const oversized: { item: T; bytes: number }[] = [];
  let current: T[] = [];
  let currentBytes = 2; // the array's brackets
  for (const item of items) {
    const bytes = sizeOf(item);
    if (bytes > limits.maxEventBytes || bytes + 2 > limits.maxRequestBytes) {
      oversized.push({ item, bytes });
      continue;
    }
    const added = bytes + (current.length > 0 ? 1 : 0); // the separating comma
    if (current.length > 0 && (current.length >= limits.maxEvents || currentBytes + added > limits.maxRequestBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 2;
    }
    currentBytes += bytes + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
