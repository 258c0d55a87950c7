/**
 * Records of external side effects in the `idempotency` container, each with its own TTL so Cosmos
 * deletes them after a while. Lookups also ignore records past their TTL, because the local emulator
 * never expires anything and Azure may delete late (expired items are hidden from reads there).
 */
import type { Container } from '@azure/cosmos';
import type { IdempotencyRecord, IdempotencyStore } from '../../application/ports';
import { ValidationError } from '../../application/errors';
import { cosmosStatusOf, mapCosmosError } from './errors';

interface RecordDocument {
  id: string;
  value: unknown;
  recordedAt: string;
  ttl: number;
  /** Seconds since the epoch of the last write, set by Cosmos. */
  _ts?: number;
}

export interface IdempotencyStoreOptions {
  /** IDEMPOTENCY_TTL_SECONDS. */
  ttlSeconds: number;
  now?: () => Date;
}

export class CosmosIdempotencyStore implements IdempotencyStore {
  private readonly now: () => Date;

  constructor(
    private readonly container: Container,
    private readonly options: IdempotencyStoreOptions,
  ) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
      throw new ValidationError(
        `IDEMPOTENCY_TTL_SECONDS must be a positive integer, got ${options.ttlSeconds}`,
        'IDEMPOTENCY_TTL_SECONDS',
      );
    }
    this.now = options.now ?? (() => new Date());
  }

  async lookup<T>(key: string): Promise<IdempotencyRecord<T> | undefined> {
    checkKey(key);
    let doc: RecordDocument | undefined;
    try {
      doc = (await this.container.item(key, key).read<RecordDocument>()).resource;
    } catch (e) {
      if (cosmosStatusOf(e) === 404) return undefined;
      throw mapCosmosError(e, `look up idempotency key ${key}`);
    }
    if (!doc) return undefined;
    if (doc._ts !== undefined && (doc._ts + doc.ttl) * 1000 <= this.now().getTime()) return undefined;
    return { key: doc.id, value: doc.value as T, recordedAt: doc.recordedAt };
  }

  async record<T>(key: string, value: T): Promise<void> {
    checkKey(key);
    const doc: RecordDocument = { id: key, value, recordedAt: this.now().toISOString(), ttl: this.options.ttlSeconds };
    try {
      await this.container.items.upsert(doc);
    } catch (e) {
      throw mapCosmosError(e, `record idempotency key ${key}`);
    }
  }
}

function checkKey(key: string): void {
  // Cosmos ids may not contain these characters (and are limited to 1,023 bytes).
  if (typeof key !== 'string' || key.length === 0 || /[/\\?#]/.test(key) || Buffer.byteLength(key) > 1023) {
    throw new ValidationError(`idempotency key must be 1-1023 bytes without / \\ ? #, got '${String(key)}'`, 'key');
  }
}
