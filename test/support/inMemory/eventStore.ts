/**
 * The EventStore port in memory, for unit tests: the contract of test/contract/eventStore.contract.ts
 * (idempotent retry at a taken version, ConcurrencyError on a different event, paged reads), which
 * the Cosmos adapter passes too. Stored events are copied in and out, so callers cannot change them.
 */
import type { AppendOptions, AppendResult, EventStore, Page, ReadStreamOptions } from '../../../src/application/ports';
import { ConcurrencyError } from '../../../src/application/errors';
import type { RequestEvent, StoredEvent } from '../../../src/domain/events';
import { eventIdFor } from '../../../src/domain/ids';
import { pageOf } from './paging';

const DEFAULT_PAGE = 100;

export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();

  async appendToStream(streamId: string, events: RequestEvent[], options: AppendOptions): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const from = options.expectedVersion + 1;
    const mine = events.map((e, i): StoredEvent => ({
      streamId,
      version: from + i,
      eventId: eventIdFor(streamId, from + i),
      type: e.type,
      data: e.data,
      metadata: options.metadata,
      occurredAt: options.occurredAt,
    }));
    const taken = stream.slice(options.expectedVersion, options.expectedVersion + mine.length);
    if (taken.length > 0) {
      // Our own retry when every taken version holds the same event; anything else is another writer.
      const differs = mine.findIndex(
        (m, i) => !taken[i] || taken[i].type !== m.type || canonical(taken[i].data) !== canonical(m.data),
      );
      if (differs >= 0) {
        const theirs = taken[differs];
        throw new ConcurrencyError(
          `stream ${streamId} version ${from + differs} is ${theirs ? `taken by a different ${theirs.type} event` : 'missing after a conflict'}`,
        );
      }
      return { nextExpectedVersion: options.expectedVersion + mine.length, events: copy(taken) };
    }
    if (stream.length < options.expectedVersion) {
      throw new ConcurrencyError(
        `stream ${streamId} is at version ${stream.length}, expected ${options.expectedVersion}`,
      );
    }
    this.streams.set(streamId, [...stream, ...copy(mine)]);
    return { nextExpectedVersion: options.expectedVersion + mine.length, events: copy(mine) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<Page<StoredEvent>> {
    const from = options.fromVersion ?? 1;
    const events = (this.streams.get(streamId) ?? []).filter((e) => e.version >= from);
    return pageOf(copy(events), options.maxCount ?? DEFAULT_PAGE, options.continuationToken);
  }

  async readEvent(streamId: string, version: number): Promise<StoredEvent | undefined> {
    const found = this.streams.get(streamId)?.[version - 1];
    return found && copy([found])[0];
  }

  async listStreams(options: { continuationToken?: string; maxCount?: number } = {}): Promise<Page<string>> {
    return pageOf([...this.streams.keys()], options.maxCount ?? DEFAULT_PAGE, options.continuationToken);
  }
}

const copy = (events: StoredEvent[]): StoredEvent[] => structuredClone(events);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}
