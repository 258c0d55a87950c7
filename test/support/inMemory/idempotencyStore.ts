/** The IdempotencyStore port in memory, with the same TTL rule as the Cosmos adapter (a record past its TTL is absent). */
import type { IdempotencyRecord, IdempotencyStore } from '../../../src/application/ports';
import { ValidationError } from '../../../src/application/errors';

export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord & { expiresMs: number }>();
  private readonly now: () => Date;

  constructor(private readonly options: { ttlSeconds: number; now?: () => Date }) {
    this.now = options.now ?? (() => new Date());
  }

  async lookup<T>(key: string): Promise<IdempotencyRecord<T> | undefined> {
    const r = this.records.get(key);
    if (!r || r.expiresMs <= this.now().getTime()) return undefined;
    return { key: r.key, value: structuredClone(r.value) as T, recordedAt: r.recordedAt };
  }

  async record<T>(key: string, value: T): Promise<void> {
    if (key.length === 0 || /[/\\?#]/.test(key))
      throw new ValidationError(`idempotency key must be 1-1023 bytes without / \\ ? #, got '${key}'`, 'key');
    const at = this.now();
    this.records.set(key, {
      key,
      value: structuredClone(value),
      recordedAt: at.toISOString(),
      expiresMs: at.getTime() + this.options.ttlSeconds * 1000,
    });
    return;
  }
}
