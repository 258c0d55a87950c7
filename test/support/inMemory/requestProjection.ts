/**
 * The RequestProjection port in memory: the same fold (requestViewOf over the domain's foldEvents), the same
 * guard (events at or below the stored version are skipped) and the same gap filling from the event store.
 */
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
} from '../../../src/application/ports';
import { ValidationError } from '../../../src/application/errors';
import type { StoredEvent } from '../../../src/domain/events';
import { foldEvents, initialRequestState, type RequestState } from '../../../src/domain/state';
import { pageOf } from './paging';

interface Stored {
  view: RequestView;
  state: RequestState;
}

export class InMemoryRequestProjection implements RequestProjection {
  private readonly views = new Map<string, Stored>();

  /** `events`: where to read what an earlier, lost update never folded in. */
  constructor(private readonly options: { events?: EventStore } = {}) {}

  async apply(streamId: string, events: StoredEvent[]): Promise<RequestView> {
    const current = this.views.get(streamId);
    const storedVersion = current?.state.version ?? 0;
    let fresh = events.filter((e) => e.version > storedVersion).sort((a, b) => a.version - b.version);
    const [first] = fresh;
    if (first && first.version !== storedVersion + 1 && this.options.events) {
      const missing = (await readAll(this.options.events, streamId, storedVersion + 1)).filter(
        (e) => e.version < first.version,
      );
      fresh = [...missing, ...fresh];
    }
    if (fresh.length === 0) {
      if (current) return structuredClone(current.view);
      throw new ValidationError(`no events to project for request ${streamId}`, 'events');
    }
    this.write(streamId, foldEvents(fresh, current?.state ?? initialRequestState()), fresh, current?.view.createdAt);
    return this.get(streamId) as Promise<RequestView>;
  }

  async get(id: string): Promise<RequestView | undefined> {
    const stored = this.views.get(id);
    return stored && structuredClone(stored.view);
  }

  async getState(id: string): Promise<ProjectedState | undefined> {
    const stored = this.views.get(id);
    return stored && { state: structuredClone(stored.state) };
  }

  async counts(): Promise<ViewCounts> {
    const counts: ViewCounts = { total: 0, byStage: {}, byOutcome: {}, needsIntervention: 0 };
    for (const { view } of this.views.values()) {
      counts.total++;
      counts.byStage[view.stage] = (counts.byStage[view.stage] ?? 0) + 1;
      if (view.outcome) counts.byOutcome[view.outcome] = (counts.byOutcome[view.outcome] ?? 0) + 1;
      if (view.needsIntervention) counts.needsIntervention++;
    }
    return counts;
  }

  async list(query: ViewQuery): Promise<Page<RequestView>> {
    checkViewFilters(query);
    const views = [...this.views.values()]
      .map((s) => s.view)
      .filter(
        (v) =>
          (query.stage === undefined || v.stage === query.stage) &&
          (query.outcome === undefined || v.outcome === query.outcome) &&
          (query.needsIntervention === undefined || v.needsIntervention === query.needsIntervention) &&
          (query.updatedFrom === undefined || v.updatedAt >= query.updatedFrom) &&
          (query.updatedTo === undefined || v.updatedAt <= query.updatedTo),
      );
    if (query.newestFirst) views.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    return pageOf(structuredClone(views), query.top ?? 50, query.continuationToken);
  }

  async rebuild(source: EventStore): Promise<{ streams: number; events: number }> {
    return forEachStream(source, async (streamId, stored) =>
      this.write(streamId, foldEvents(stored, initialRequestState()), stored, undefined),
    );
  }

  private write(id: string, state: RequestState, events: StoredEvent[], createdAt: string | undefined): void {
    const [first] = events;
    const last = events.at(-1);
    if (!first || !last) throw new Error(`view ${id} needs at least one event`);
    const view = requestViewOf(id, state, {
      createdAt,
      firstOccurredAt: first.occurredAt,
      lastOccurredAt: last.occurredAt,
    });
    this.views.set(id, { view, state });
  }
}
