/**
 * The request view in the `requests` container (id = requestId). Each document keeps the folded
 * RequestState next to the view fields, so new events fold onto it without reading the stream.
 * Writes are guarded twice: events at or below the stored version are skipped, and the write carries
 * the ETag read (If-Match), so two racing writers cannot lose each other's update.
 */
import type { Container } from '@azure/cosmos';
import {
  checkViewFilters,
  forEachStream,
  readAll,
  requestViewOf,
  type EventStore,
  type Page,
  type ProjectedState,
  type RequestProjection,
  type RequestView,
  type ViewCounts,
  type ViewQuery,
} from '../../application/ports';
import { TransientError, ValidationError } from '../../application/errors';
import type { StoredEvent } from '../../domain/events';
import { foldEvents, initialRequestState, type RequestState } from '../../domain/state';
import type { Outcome, RequestStage } from '../../domain/status';
import { cosmosStatusOf, mapCosmosError } from './errors';

interface ViewDocument extends RequestView {
  state: RequestState;
  _etag?: string;
}

const MAX_WRITE_ATTEMPTS = 5;
const DEFAULT_TOP = 50;
const MAX_TOP = 1000;

export interface RequestProjectionOptions {
  /**
   * Where to read events the caller did not pass: when an earlier update failed after its append,
   * the next update starts past the stored version and the gap is read from the stream.
   */
  events?: EventStore;
}

export class CosmosRequestProjection implements RequestProjection {
  constructor(
    private readonly requests: Container,
    private readonly options: RequestProjectionOptions = {},
  ) {}

  async apply(streamId: string, events: StoredEvent[], basis?: ProjectedState): Promise<RequestView> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const current = attempt === 1 && isViewOf(basis, streamId) ? basis : await this.read(streamId);
      const fresh = await this.withGapFilled(streamId, current?.version ?? 0, events);
      if (fresh.length === 0) {
        if (current) return toView(current);
        throw new ValidationError(`no events to project for request ${streamId}`, 'events');
      }
      const next = viewDocument(streamId, current?.state ?? initialRequestState(), fresh, current?.createdAt);
      try {
        if (current) {
          await this.requests
            .item(streamId, streamId)
            .replace(next, { accessCondition: { type: 'IfMatch', condition: current._etag! } });
        } else {
          await this.requests.items.create(next);
        }
        return toView(next);
      } catch (e) {
        const status = cosmosStatusOf(e);
        // Someone else wrote in between: read again and fold whatever is still newer.
        if (status === 412 || status === 409) continue;
        throw mapCosmosError(e, `update view ${streamId}`);
      }
    }
    throw new TransientError(`view ${streamId} kept changing under ${MAX_WRITE_ATTEMPTS} attempts to update it`);
  }

  private async withGapFilled(streamId: string, storedVersion: number, events: StoredEvent[]): Promise<StoredEvent[]> {
    const fresh = events.filter((e) => e.version > storedVersion).sort((a, b) => a.version - b.version);
    const [first] = fresh;
    if (first === undefined || first.version === storedVersion + 1 || !this.options.events) return fresh;
    const missing = (await readAll(this.options.events, streamId, storedVersion + 1)).filter(
      (e) => e.version < first.version,
    );
    return [...missing, ...fresh];
  }

  async get(id: string): Promise<RequestView | undefined> {
    const doc = await this.read(id);
    return doc && toView(doc);
  }

  /** The stored document itself: apply() reuses its ETag and createdAt. */
  async getState(id: string): Promise<ProjectedState | undefined> {
    return this.read(id);
  }

  /**
   * Counts by stage, by outcome and of views needing intervention. Cosmos DB answers three GROUP BY
   * aggregates; the local emulator has no GROUP BY (it answers 400), so there one query reads the three
   * fields of every view and they are counted here.
   */
  async counts(): Promise<ViewCounts> {
    try {
      if (this.groupBy !== false) {
        try {
          const result = await this.countsByGroup();
          this.groupBy = true;
          return result;
        } catch (e) {
          if (this.groupBy === true || cosmosStatusOf(e) !== 400) throw e;
          this.groupBy = false;
        }
      }
      const { resources } = await this.requests.items
        .query<{ s: RequestStage; o?: Outcome; n?: boolean }>(
          'SELECT c.stage AS s, c.outcome AS o, c.needsIntervention AS n FROM c',
        )
        .fetchAll();
      const counts: ViewCounts = { total: resources.length, byStage: {}, byOutcome: {}, needsIntervention: 0 };
      for (const r of resources) {
        counts.byStage[r.s] = (counts.byStage[r.s] ?? 0) + 1;
        if (r.o) counts.byOutcome[r.o] = (counts.byOutcome[r.o] ?? 0) + 1;
        if (r.n === true) counts.needsIntervention++;
      }
      return counts;
    } catch (e) {
      throw mapCosmosError(e, 'count views');
    }
  }

  private groupBy: boolean | undefined;

  private async countsByGroup(): Promise<ViewCounts> {
    const grouped = async (field: string): Promise<{ k: string; n: number }[]> =>
      (
        await this.requests.items
          .query<{ k: string; n: number }>(`SELECT c.${field} AS k, COUNT(1) AS n FROM c GROUP BY c.${field}`)
          .fetchAll()
      ).resources;
    const [stages, outcomes, flags] = await Promise.all([
      grouped('stage'),
      grouped('outcome'),
      grouped('needsIntervention'),
    ]);
    const map = (rows: { k: string; n: number }[]) =>
      Object.fromEntries(rows.filter((r) => r.k !== undefined && r.k !== null).map((r) => [r.k, r.n]));
    return {
      total: stages.reduce((a, r) => a + r.n, 0),
      byStage: map(stages),
      byOutcome: map(outcomes),
      needsIntervention: flags.find((r) => (r.k as unknown) === true)?.n ?? 0,
    };
  }

  async list(query: ViewQuery): Promise<Page<RequestView>> {
    checkViewFilters(query);
    const top = query.top ?? DEFAULT_TOP;
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
      throw new ValidationError(`top must be an integer from 1 to ${MAX_TOP}, got ${top}`, 'top');
    }
    const filters: string[] = [];
    const parameters: { name: string; value: string }[] = [];
    if (query.stage !== undefined) {
      filters.push('c.stage = @stage');
      parameters.push({ name: '@stage', value: query.stage });
    }
    if (query.outcome !== undefined) {
      filters.push('c.outcome = @outcome');
      parameters.push({ name: '@outcome', value: query.outcome });
    }
    if (query.needsIntervention !== undefined)
      filters.push(query.needsIntervention ? 'c.needsIntervention = true' : 'c.needsIntervention != true');
    if (query.updatedFrom !== undefined) {
      filters.push('c.updatedAt >= @from');
      parameters.push({ name: '@from', value: query.updatedFrom });
    }
    if (query.updatedTo !== undefined) {
      filters.push('c.updatedAt <= @to');
      parameters.push({ name: '@to', value: query.updatedTo });
    }
    const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
    const order = query.newestFirst ? ' ORDER BY c.updatedAt DESC' : '';
    try {
      const response = await this.requests.items
        .query<ViewDocument>(
          { query: `SELECT * FROM c${where}${order}`, parameters },
          { maxItemCount: top, continuationToken: query.continuationToken },
        )
        .fetchNext();
      return { items: response.resources.map(toView), continuationToken: response.continuationToken || undefined };
    } catch (e) {
      throw mapCosmosError(e, 'list views');
    }
  }

  async rebuild(source: EventStore): Promise<{ streams: number; events: number }> {
    return forEachStream(source, async (streamId, stored) => {
      try {
        await this.requests.items.upsert(viewDocument(streamId, initialRequestState(), stored, undefined));
      } catch (e) {
        throw mapCosmosError(e, `rewrite view ${streamId}`);
      }
    });
  }

  private async read(id: string): Promise<ViewDocument | undefined> {
    try {
      const { resource } = await this.requests.item(id, id).read<ViewDocument>();
      return resource;
    } catch (e) {
      if (cosmosStatusOf(e) === 404) return undefined;
      throw mapCosmosError(e, `read view ${id}`);
    }
  }
}

function viewDocument(
  id: string,
  from: RequestState,
  events: StoredEvent[],
  createdAt: string | undefined,
): ViewDocument {
  const [first] = events;
  const last = events.at(-1);
  if (!first || !last) throw new Error(`view ${id} needs at least one event`);
  const state = foldEvents(events, from);
  return {
    ...requestViewOf(id, state, { createdAt, firstOccurredAt: first.occurredAt, lastOccurredAt: last.occurredAt }),
    state,
  };
}

function isViewOf(basis: ProjectedState | undefined, id: string): basis is ViewDocument {
  const doc = basis as Partial<ViewDocument> | undefined;
  return doc?.id === id && typeof doc._etag === 'string';
}

function toView(doc: ViewDocument): RequestView {
  return requestViewOf(doc.id, doc.state, {
    createdAt: doc.createdAt,
    firstOccurredAt: doc.createdAt,
    lastOccurredAt: doc.updatedAt,
  });
}
