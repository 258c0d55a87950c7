/**
 * The request view in the `requests` container (id = requestId). Each document keeps the folded
 * RequestState next to the view fields, so new events fold onto it without reading the stream.
 * Writes are guarded twice: events at or below the stored version are skipped, and the write carries
 * the ETag read (If-Match), so two racing writers cannot lose each other's update.
 */
import type { Container } from '@azure/cosmos';
import { forEachStream, readAll, requestViewOf, type EventStore, type Page, type ProjectedState, type RequestProjection, type RequestView } from '../../application/ports';
import { TransientError, ValidationError } from '../../application/errors';
import type { StoredEvent } from '../../domain/events';
import { foldEvents, initialRequestState, type RequestState } from '../../domain/state';
import { OUTCOMES, REQUEST_STAGES, type Outcome, type RequestStage } from '../../domain/status';
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
          await this.requests.item(streamId, streamId).replace(next, { accessCondition: { type: 'IfMatch', condition: current._etag! } });
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
    const missing = (await readAll(this.options.events, streamId, storedVersion + 1)).filter((e) => e.version < first.version);
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

  async list(query: { stage?: RequestStage; outcome?: Outcome; top?: number; continuationToken?: string }): Promise<Page<RequestView>> {
    if (query.stage !== undefined && !REQUEST_STAGES.includes(query.stage)) {
      throw new ValidationError(`stage must be one of ${REQUEST_STAGES.join(', ')}, got '${String(query.stage)}'`, 'stage');
    }
    if (query.outcome !== undefined && !OUTCOMES.includes(query.outcome)) {
      throw new ValidationError(`outcome must be one of ${OUTCOMES.join(', ')}, got '${String(query.outcome)}'`, 'outcome');
    }
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
    const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
    try {
      const response = await this.requests.items
        .query<ViewDocument>({ query: `SELECT * FROM c${where}`, parameters }, { maxItemCount: top, continuationToken: query.continuationToken })
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

function viewDocument(id: string, from: RequestState, events: StoredEvent[], createdAt: string | undefined): ViewDocument {
  const [first] = events;
  const last = events.at(-1);
  if (!first || !last) throw new Error(`view ${id} needs at least one event`);
  const state = foldEvents(events, from);
  return { ...requestViewOf(id, state, { createdAt, firstOccurredAt: first.occurredAt, lastOccurredAt: last.occurredAt }), state };
}

function isViewOf(basis: ProjectedState | undefined, id: string): basis is ViewDocument {
  const doc = basis as Partial<ViewDocument> | undefined;
  return doc?.id === id && typeof doc._etag === 'string';
}

function toView(doc: ViewDocument): RequestView {
  return requestViewOf(doc.id, doc.state, { createdAt: doc.createdAt, firstOccurredAt: doc.createdAt, lastOccurredAt: doc.updatedAt });
}
