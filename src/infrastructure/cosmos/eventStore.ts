/**
 * The event store on Cosmos DB: one document per event in the `events` container, partitioned by
 * stream (aggregateId), with `id` = the version so a second writer at a taken version gets 409.
 * An append is one transactional batch of creates and never reads first.
 */
import { BulkOperationType, type Container, type JSONObject, type OperationInput } from '@azure/cosmos';
import type { AppendOptions, AppendResult, EventStore, Page, ReadStreamOptions } from '../../application/ports';
import { ConcurrencyError, NonRetriableError, TransientError, ValidationError } from '../../application/errors';
import type { EventMetadata, RequestEvent, StoredEvent } from '../../domain/events';
import { eventIdFor } from '../../domain/ids';
import { cosmosStatusOf, isTransientStatus, mapCosmosError } from './errors';

/** Cosmos rejects a transactional batch of more than 100 operations. */
export const MAX_EVENTS_PER_APPEND = 100;
const DEFAULT_PAGE = 100;

export interface EventDocument {
  id: string;
  aggregateId: string;
  version: number;
  eventId: string;
  type: RequestEvent['type'];
  data: RequestEvent['data'];
  metadata: EventMetadata;
  occurredAt: string;
}

export class CosmosEventStore implements EventStore {
  constructor(private readonly events: Container) {}

  async appendToStream(streamId: string, events: RequestEvent[], options: AppendOptions): Promise<AppendResult> {
    checkAppend(streamId, events, options);
    const docs = events.map((e, i) => toDocument(streamId, options.expectedVersion + 1 + i, e, options));
    if (docs.length === 0) return { nextExpectedVersion: options.expectedVersion, events: [] };

    const operations: OperationInput[] = docs.map((d) => ({
      operationType: BulkOperationType.Create,
      resourceBody: { ...d } as unknown as JSONObject,
    }));
    let statuses: number[];
    try {
      const response = await this.events.items.batch(operations, streamId);
      statuses = (response.result ?? []).map((r) => r.statusCode);
    } catch (e) {
      throw mapCosmosError(e, `append to stream ${streamId}`);
    }
    // A failed batch does not throw: the failing op has its own status, the others 424.
    const failure = statuses.find((s) => s >= 400 && s !== 424);
    if (failure === undefined && statuses.length === docs.length) {
      return { nextExpectedVersion: options.expectedVersion + docs.length, events: docs.map(toStoredEvent) };
    }
    if (failure === 409) return this.resolveConflict(streamId, docs);
    if (failure !== undefined && isTransientStatus(failure)) {
      throw new TransientError(`append to stream ${streamId} failed with ${failure}`, { status: failure });
    }
    throw new NonRetriableError(`append to stream ${streamId} failed with statuses [${statuses.join(', ')}]`);
  }

  /** A taken version is fine only if it holds the very event we tried to write (our own retry). */
  private async resolveConflict(streamId: string, attempted: EventDocument[]): Promise<AppendResult> {
    const [first] = attempted;
    const last = attempted.at(-1);
    if (!first || !last) throw new Error(`resolveConflict on stream ${streamId} needs at least one attempted event`);
    const from = first.version;
    const to = last.version;
    const stored = await this.queryStream(streamId, from, to - from + 1, undefined);
    const byVersion = new Map(stored.items.map((d) => [d.version, d]));
    for (const mine of attempted) {
      const theirs = byVersion.get(mine.version);
      if (!theirs || !sameEvent(mine, theirs)) {
        throw new ConcurrencyError(
          `stream ${streamId} version ${mine.version} is ${theirs ? `taken by a different ${theirs.type} event` : 'missing after a conflict'}` +
            ` (appending ${mine.type} at expected version ${from - 1})`,
        );
      }
    }
    return { nextExpectedVersion: to, events: attempted.map((d) => toStoredEvent(byVersion.get(d.version)!)) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<Page<StoredEvent>> {
    const page = await this.queryStream(
      streamId,
      options.fromVersion ?? 1,
      options.maxCount ?? DEFAULT_PAGE,
      options.continuationToken,
    );
    return { items: page.items.map(toStoredEvent), continuationToken: page.continuationToken };
  }

  async readEvent(streamId: string, version: number): Promise<StoredEvent | undefined> {
    try {
      const { resource } = await this.events.item(String(version), streamId).read<EventDocument>();
      return resource && toStoredEvent(resource);
    } catch (e) {
      if (cosmosStatusOf(e) === 404) return undefined;
      throw mapCosmosError(e, `read event ${version} of stream ${streamId}`);
    }
  }

  async listStreams(options: { continuationToken?: string; maxCount?: number } = {}): Promise<Page<string>> {
    // Every stream has exactly one version-1 document, so this lists each stream once without DISTINCT.
    try {
      const response = await this.events.items
        .query<string>('SELECT VALUE c.aggregateId FROM c WHERE c.version = 1', {
          maxItemCount: options.maxCount ?? DEFAULT_PAGE,
          continuationToken: options.continuationToken,
        })
        .fetchNext();
      return { items: response.resources, continuationToken: response.continuationToken || undefined };
    } catch (e) {
      throw mapCosmosError(e, 'list streams');
    }
  }

  private async queryStream(
    streamId: string,
    fromVersion: number,
    maxCount: number,
    continuationToken: string | undefined,
  ): Promise<Page<EventDocument>> {
    try {
      const response = await this.events.items
        .query<EventDocument>(
          {
            query: 'SELECT * FROM c WHERE c.aggregateId = @id AND c.version >= @from ORDER BY c.version ASC',
            parameters: [
              { name: '@id', value: streamId },
              { name: '@from', value: fromVersion },
            ],
          },
          { partitionKey: streamId, maxItemCount: maxCount, continuationToken },
        )
        .fetchNext();
      return { items: response.resources, continuationToken: response.continuationToken || undefined };
    } catch (e) {
      throw mapCosmosError(e, `read stream ${streamId}`);
    }
  }
}

function checkAppend(streamId: string, events: RequestEvent[], options: AppendOptions): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || /[/\\?#]/.test(streamId)) {
    throw new ValidationError(
      `streamId must be a non-empty string without / \\ ? #, got '${String(streamId)}'`,
      'streamId',
    );
  }
  if (!Number.isInteger(options.expectedVersion) || options.expectedVersion < 0) {
    throw new ValidationError(
      `expectedVersion must be an integer >= 0, got ${options.expectedVersion}`,
      'expectedVersion',
    );
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new ValidationError(
      `at most ${MAX_EVENTS_PER_APPEND} events per append (one transactional batch), got ${events.length}`,
      'events',
    );
  }
}

function toDocument(streamId: string, version: number, event: RequestEvent, options: AppendOptions): EventDocument {
  return {
    id: String(version),
    aggregateId: streamId,
    version,
    eventId: eventIdFor(streamId, version),
    type: event.type,
    data: event.data,
    metadata: options.metadata,
    occurredAt: options.occurredAt,
  };
}

function toStoredEvent(d: EventDocument): StoredEvent {
  return {
    streamId: d.aggregateId,
    version: d.version,
    eventId: d.eventId,
    type: d.type,
    data: d.data,
    metadata: d.metadata,
    occurredAt: d.occurredAt,
  };
}

/**
 * The event id derives from (stream, version) only, so it cannot tell two events apart: compare the
 * content instead. Metadata is left out on purpose: a retry may carry a new traceparent.
 */
function sameEvent(a: EventDocument, b: EventDocument): boolean {
  return a.type === b.type && canonicalJson(a.data) === canonicalJson(b.data);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}
