/**
 * Ports: what the use cases need from the outside world. Adapters in src/infrastructure
 * implement them; tests may use in-memory implementations of the same contracts.
 */
import type { TraceContext } from '../workflow/trace';
import { ValidationError } from '../errors';
import { OUTCOMES, REQUEST_STAGES } from '../../domain/status';
import type {
  EventMetadata,
  IntakeRef,
  RequestEvent,
  StoredEvent,
  Submission,
  WorkItemPayload,
} from '../../domain/events';
import type { RequestState } from '../../domain/state';
import type { ExternalJobStatus, IntakeStatus, Outcome, RequestStage } from '../../domain/status';

// ---- event store -------------------------------------------------------------------------

export interface AppendOptions {
  /** Version of the last event the caller has seen (0 for a new stream). */
  expectedVersion: number;
  metadata: EventMetadata;
  /** Deterministic time of the step, stamped on every event. */
  occurredAt: string;
}
export interface AppendResult {
  nextExpectedVersion: number;
  /** The events as stored (with versions and ids), also when the append was an idempotent retry. */
  events: StoredEvent[];
}
export interface ReadStreamOptions {
  fromVersion?: number;
  maxCount?: number;
  continuationToken?: string;
}
export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

/**
 * Append-only store, one stream per request. Appends are idempotent: retrying the same events at
 * the same expected version succeeds and returns the stored events; a different event at a taken
 * version throws a ConcurrencyError (see application/errors).
 */
export interface EventStore {
  appendToStream(streamId: string, events: RequestEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<Page<StoredEvent>>;
  /** One event by its version (a point read, much cheaper than reading the stream). */
  readEvent(streamId: string, version: number): Promise<StoredEvent | undefined>;
  /** Every stream id, paged; used by the projection rebuild. */
  listStreams(options?: { continuationToken?: string; maxCount?: number }): Promise<Page<string>>;
}

/** Every event of a stream from `fromVersion` on, following continuation tokens. */
export async function readAll(eventStore: EventStore, streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await eventStore.readStream(streamId, { fromVersion, continuationToken });
    events.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return events;
}

/** Hands every non-empty stream of `source` to `visit`, one after the other; returns what it handed over. */
export async function forEachStream(
  source: EventStore,
  visit: (streamId: string, events: StoredEvent[]) => Promise<void>,
): Promise<{ streams: number; events: number }> {
  let streams = 0;
  let events = 0;
  let token: string | undefined;
  do {
    const page = await source.listStreams({ continuationToken: token });
    for (const streamId of page.items) {
      const stored = await readAll(source, streamId);
      if (stored.length === 0) continue;
      await visit(streamId, stored);
      streams += 1;
      events += stored.length;
    }
    token = page.continuationToken;
  } while (token);
  return { streams, events };
}

// ---- projection --------------------------------------------------------------------------

export interface RequestView {
  id: string;
  stage: RequestStage;
  attempt: number;
  externalJobId?: string;
  lastExternalStatus?: ExternalJobStatus;
  outcome?: Outcome;
  reason?: string;
  needsIntervention: boolean;
  intake?: IntakeRef;
  /** Version of the last event folded into this view. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The view of a request whose events fold to `state`; times fall back to the first and last event's. */
export function requestViewOf(
  id: string,
  state: RequestState,
  times: { createdAt?: string; firstOccurredAt: string; lastOccurredAt: string },
): RequestView {
  const view: RequestView = {
    id,
    stage: state.stage,
    attempt: state.attempt,
    needsIntervention: state.needsIntervention,
    version: state.version,
    createdAt: times.createdAt ?? state.admittedAt ?? times.firstOccurredAt,
    updatedAt: state.updatedAt ?? times.lastOccurredAt,
  };
  // Absent, not undefined: views are compared and stored as JSON.
  if (state.externalJobId !== undefined) view.externalJobId = state.externalJobId;
  if (state.lastExternalStatus !== undefined) view.lastExternalStatus = state.lastExternalStatus;
  if (state.outcome !== undefined) view.outcome = state.outcome;
  if (state.reason !== undefined) view.reason = state.reason;
  if (state.intake !== undefined) view.intake = state.intake;
  return view;
}

/**
 * The folded state a stored view was built from. Steps decide from it instead of reading the
 * stream; handing it back to `apply` lets the update skip its own read (the adapter keeps what it
 * needs for its concurrency check inside).
 */
export interface ProjectedState {
  readonly state: RequestState;
}

export interface ViewQuery {
  stage?: RequestStage;
  outcome?: Outcome;
  needsIntervention?: boolean;
  /** ISO times bounding `updatedAt` (inclusive). */
  updatedFrom?: string;
  updatedTo?: string;
  /** Most recently updated first (the dashboard's order). */
  newestFirst?: boolean;
  top?: number;
  continuationToken?: string;
}

/** Refuses a stage or outcome filter that names no stage or outcome (every projection adapter checks the same). */
export function checkViewFilters(query: ViewQuery): void {
  if (query.stage !== undefined && !REQUEST_STAGES.includes(query.stage)) {
    throw new ValidationError(
      `stage must be one of ${REQUEST_STAGES.join(', ')}, got '${String(query.stage)}'`,
      'stage',
    );
  }
  if (query.outcome !== undefined && !OUTCOMES.includes(query.outcome)) {
    throw new ValidationError(
      `outcome must be one of ${OUTCOMES.join(', ')}, got '${String(query.outcome)}'`,
      'outcome',
    );
  }
}

export interface ViewCounts {
  total: number;
  byStage: Partial<Record<RequestStage, number>>;
  byOutcome: Partial<Record<Outcome, number>>;
  needsIntervention: number;
}

export interface RequestProjection {
  /**
   * Folds the events into the stored view; events at or below the stored version are ignored.
   * `basis`, from `getState`, saves a read; a stale basis costs a retry, never a lost update.
   */
  apply(streamId: string, events: StoredEvent[], basis?: ProjectedState): Promise<RequestView>;
  get(id: string): Promise<RequestView | undefined>;
  getState(id: string): Promise<ProjectedState | undefined>;
  list(query: ViewQuery): Promise<Page<RequestView>>;
  /** How many views are in each stage, and completed ones by outcome. */
  counts(): Promise<ViewCounts>;
  /** Recomputes every view from the event store. Returns how many streams were folded. */
  rebuild(source: EventStore): Promise<{ streams: number; events: number }>;
}

// ---- idempotency -------------------------------------------------------------------------

export interface IdempotencyRecord<T = unknown> {
  key: string;
  value: T;
  recordedAt: string;
}
/** Remembers external side effects (e.g. the job created for request+attempt) for a while (TTL). */
export interface IdempotencyStore {
  lookup<T>(key: string): Promise<IdempotencyRecord<T> | undefined>;
  record<T>(key: string, value: T): Promise<void>;
}

// ---- intake ------------------------------------------------------------------------------

export interface IntakeRow {
  ref: IntakeRef;
  status: IntakeStatus;
  /** Parsed Payload column; undefined if the row is malformed (see `problem`). */
  payload?: WorkItemPayload;
  /** Why the row cannot be processed, when it is malformed. */
  problem?: string;
  etag: string;
  /** When the current claim was taken (a renewal keeps it). */
  claimedAt?: string;
  /** When discovery next looks at the claim (domain/claims.ts). */
  claimCheckAt?: string;
  createdAt?: string;
  /** The trace of the call that added the row; discovery continues it. */
  trace?: TraceContext;
}

export interface IntakeRepository {
  /** Adds a new Unprocessed row. Throws a ConflictError when the row exists. */
  add(ref: IntakeRef, payload: WorkItemPayload, trace?: TraceContext): Promise<IntakeRow>;
  get(ref: IntakeRef): Promise<IntakeRow | undefined>;
  /** Unprocessed rows, then (if the batch has room) Claimed rows whose claim check is due by `checksDueBy`. */
  listClaimable(options: { checksDueBy: string; maxCount: number }): Promise<IntakeRow[]>;
  /**
   * ETag-guarded Unprocessed|Claimed → Claimed with a new claim time and first check. Returns the
   * claimed row, or undefined if another claimer won.
   */
  claim(row: IntakeRow, claim: { claimedAt: string; checkAt: string }): Promise<IntakeRow | undefined>;
  /**
   * ETag-guarded: moves a live claim's next check to `checkAt`, keeping its claim time. False when
   * another writer changed the row first (that writer's view wins).
   */
  deferClaimCheck(row: IntakeRow, checkAt: string): Promise<boolean>;
  /** Writes the terminal status. Idempotent: writing the same status twice is fine. */
  complete(ref: IntakeRef, status: Outcome, details: { reason?: string; completedAt: string }): Promise<void>;
  /** Marks a malformed row Quarantined with a readable reason, so it stops being picked up. */
  quarantine(row: IntakeRow, reason: string): Promise<void>;
}

// ---- publishing --------------------------------------------------------------------------

export interface PublishResult {
  published: string[];
  /** Event ids not published, with why; the caller retries them later (at-least-once). */
  failed: { eventId: string; error: string; retriable: boolean }[];
}
/** Publishes stored events as CloudEvents 1.0. Same event → same CloudEvent id on every delivery. */
export interface EventPublisher {
  publish(events: StoredEvent[]): Promise<PublishResult>;
}

// ---- external service --------------------------------------------------------------------

export interface ExternalJob {
  id: string;
  status: ExternalJobStatus;
}
export interface ExternalJobs {
  /** Idempotent by `idempotencyKey` (sent as the Idempotency-Key header). */
  create(submission: Submission, idempotencyKey: string): Promise<ExternalJob>;
  get(jobId: string): Promise<ExternalJob>;
  cancel(jobId: string): Promise<ExternalJob>;
}
