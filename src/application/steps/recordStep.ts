/**
 * The one way a workflow step changes a request: take the state at the version the orchestrator
 * expects, decide, append at that version, update the projection, try to publish.
 *
 * At-least-once safety: the orchestrator is the stream's only writer and passes the version it last
 * saw. If the stream is already past that version, an earlier run of this same step appended and
 * then died (or its result was lost); its events are re-applied to the projection and re-published
 * (same CloudEvent ids) instead of being decided again.
 */
import type { RequestEvent, StoredEvent } from '../../domain/events';
import { foldEvents, initialRequestState, type RequestState } from '../../domain/state';
import { ConcurrencyError } from '../errors';
import { readAll, type EventPublisher, type EventStore, type ProjectedState, type RequestProjection } from '../ports';
import type { StepInput } from '../workflow/contracts';

export interface StepDeps {
  eventStore: EventStore;
  projection: RequestProjection;
  publisher: EventPublisher;
}

export interface Recorded {
  /** State after the step. */
  state: RequestState;
  version: number;
  /** Versions whose publication failed; the orchestrator hands them to publishEvents. */
  unpublished: number[];
}

/**
 * Runs one step. `decideEvents` sees the state at `input.expectedVersion` and returns the new
 * events (possibly none); it is skipped when the step is known to have run already.
 *
 * Hot path, no stream read: the projection's stored state is at the expected version, so decide from
 * it and append. The stream can still be ahead of the view (an earlier run appended, then died before
 * projecting): the append then meets that run's events, which is fine when they are the same events
 * and a ConcurrencyError when they differ (a poll that saw another status), in which case the
 * stream is read and the earlier run's events win.
 */
export async function recordStep(
  deps: StepDeps,
  input: StepInput & { traceparent?: string; stepName: string },
  decideEvents: (state: RequestState) => RequestEvent[] | Promise<RequestEvent[]>,
): Promise<Recorded> {
  const projected = await deps.projection.getState(input.requestId);
  const viewState = projected?.state ?? (input.expectedVersion === 0 ? initialRequestState() : undefined);
  if (viewState?.version === input.expectedVersion) {
    try {
      const appended = await decideAndAppend(deps, input, viewState, decideEvents);
      // Deciding nothing proves nothing about an earlier run: one point read tells.
      const settled =
        appended.length > 0 || !(await deps.eventStore.readEvent(input.requestId, input.expectedVersion + 1));
      if (settled) return await finish(deps, input, viewState, appended, projected);
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
    }
  }
  return recordFromStream(deps, input, decideEvents);
}

/** The view lags or leads the workflow, or met an earlier run's events: the stream decides. */
async function recordFromStream(
  deps: StepDeps,
  input: StepInput & { traceparent?: string; stepName: string },
  decideEvents: (state: RequestState) => RequestEvent[] | Promise<RequestEvent[]>,
): Promise<Recorded> {
  const stream = await readAll(deps.eventStore, input.requestId);
  const before = foldEvents(stream.filter((e) => e.version <= input.expectedVersion));
  if (before.version < input.expectedVersion) {
    throw new ConcurrencyError(
      `stream ${input.requestId} is at version ${before.version}, the workflow expected ${input.expectedVersion}`,
    );
  }
  const earlier = stream.filter((e) => e.version > input.expectedVersion);
  const mine = earlier.length > 0 ? earlier : await decideAndAppend(deps, input, before, decideEvents);
  return finish(deps, input, before, mine);
}

async function decideAndAppend(
  deps: StepDeps,
  input: StepInput & { traceparent?: string; stepName: string },
  before: RequestState,
  decideEvents: (state: RequestState) => RequestEvent[] | Promise<RequestEvent[]>,
): Promise<StoredEvent[]> {
  const events = await decideEvents(before);
  if (events.length === 0) return [];
  const appended = await deps.eventStore.appendToStream(input.requestId, events, {
    expectedVersion: input.expectedVersion,
    occurredAt: input.now,
    metadata: {
      correlationId: input.correlationId,
      causationId: `${input.requestId}/${input.stepName}@${input.expectedVersion}`,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
    },
  });
  return appended.events;
}

async function finish(
  deps: StepDeps,
  input: StepInput,
  before: RequestState,
  mine: StoredEvent[],
  basis?: ProjectedState,
): Promise<Recorded> {
  if (mine.length === 0) return { state: before, version: before.version, unpublished: [] };
  await deps.projection.apply(input.requestId, mine, basis);
  const unpublished = await publishFast(deps.publisher, mine);
  const state = foldEvents(mine, before);
  return { state, version: state.version, unpublished };
}

/** Fast path: publish inline; a failure is reported, never thrown (the events are already stored). */
async function publishFast(publisher: EventPublisher, events: StoredEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  try {
    const result = await publisher.publish(events);
    const failed = new Set(result.failed.map((f) => f.eventId));
    return events.filter((e) => failed.has(e.eventId)).map((e) => e.version);
  } catch {
    return events.map((e) => e.version);
  }
}
