/**
 * The inbox: turns at-least-once, unordered delivery into exactly-once, in-order application per
 * request. An event at or below the request's applied version is a duplicate; the next version is
 * applied; a later one means a gap, which is filled at once from the workflow's event API instead of
 * waiting for Event Grid to deliver the missing events (they may already be behind a retry). The
 * read-model rows are written before the position moves, and are idempotent upserts, so a crash in
 * between repeats them harmlessly; the position and the seen-id markers commit together with an
 * optimistic check, so two concurrent deliveries for one request cannot both apply.
 */
import type { InboxEvent } from './events';
import { applyEvent, emptySummary, type RequestSummary } from './readModel';

export interface StreamPosition {
  appliedVersion: number;
  summary: RequestSummary;
  /** Store's concurrency token; undefined when the request is new to the inbox. */
  etag?: string;
}

export interface InboxStore {
  position(streamId: string): Promise<StreamPosition>;
  /** Idempotent writes of the rows derived from a summary (daily figures, intervention list). */
  project(summary: RequestSummary): Promise<void>;
  /** Moves the position and records the events' ids in one transaction; false when another writer got there first (or an id was already seen). */
  commit(
    streamId: string,
    from: StreamPosition,
    to: { appliedVersion: number; summary: RequestSummary },
    events: InboxEvent[],
  ): Promise<boolean>;
}

export interface StreamSource {
  /** Events `fromVersion`..`toVersion` of a request, in order. */
  read(streamId: string, fromVersion: number, toVersion: number): Promise<InboxEvent[]>;
}

export type Receipt = 'applied' | 'duplicate' | 'gapFilled';

/** Events committed per transaction (Azure Tables allows 100 operations; one is the position). */
const CHUNK = 50;
const MAX_CONFLICTS = 20;

export async function receive(event: InboxEvent, store: InboxStore, source: StreamSource): Promise<Receipt> {
  for (let tries = 0; tries < MAX_CONFLICTS; tries++) {
    const at = await store.position(event.streamId);
    if (event.version <= at.appliedVersion) return 'duplicate';
    const gap = event.version > at.appliedVersion + 1;
    const missing = gap ? await source.read(event.streamId, at.appliedVersion + 1, event.version - 1) : [];
    const batch = [...missing, event];
    batch.forEach((e, i) => {
      if (e.version !== at.appliedVersion + 1 + i)
        throw new Error(
          `request ${event.streamId}: expected v${at.appliedVersion + 1 + i} while filling the gap, got v${e.version}`,
        );
    });
    if (await applyInChunks(event.streamId, at, batch, store)) return gap ? 'gapFilled' : 'applied';
  }
  throw new Error(
    `request ${event.streamId}: v${event.version} lost ${MAX_CONFLICTS} commits in a row to other writers`,
  );
}

async function applyInChunks(
  streamId: string,
  start: StreamPosition,
  batch: InboxEvent[],
  store: InboxStore,
): Promise<boolean> {
  let at = start;
  for (let i = 0; i < batch.length; i += CHUNK) {
    const chunk = batch.slice(i, i + CHUNK);
    const summary = chunk.reduce(applyEvent, at.summary ?? emptySummary(streamId));
    const to = { appliedVersion: chunk[chunk.length - 1]!.version, summary };
    await store.project(summary);
    if (!(await store.commit(streamId, at, to, chunk))) return false;
    at = await store.position(streamId);
  }
  return true;
}
