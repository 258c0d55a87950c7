/**
 * What the engine persists. Every instance owns one "partition": its record, the history of its
 * current execution and its pending messages. `commitEpisode` is the only write that changes an
 * instance's state; it is atomic per instance so a message is acknowledged only together with the
 * history it produced.
 */
import type { RuntimeStatus } from '../api';
import type { HistoryEvent } from '../history';

/** Retry bookkeeping for one …WithRetry action (docs/DURABLE_PROTOCOL.md §8.3), keyed by the action's id. */
export interface RetryState {
  kind: 'activity' | 'subOrchestration';
  name: string;
  /** JSON text of the decoded input. */
  input: string;
  /** Explicit child instance id of a sub-orchestration, if the code gave one. */
  childInstanceId?: string;
  version?: string;
  options: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
  };
  attempt: number;
  /** Id of the attempt currently scheduled or of the timer currently armed. */
  currentTaskId: number;
  waitingOnTimer: boolean;
}

export interface InstanceRecord {
  instanceId: string;
  /** 'entity' for a durable entity (id `@name@key`, state in `input`); absent for orchestrations. */
  kind?: 'entity';
  name: string;
  version?: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text. */
  input: string;
  /** JSON text (Completed), the failure message or the termination reason as JSON text. */
  output?: string;
  /** JSON text. */
  customStatus?: string;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: { instanceId: string; executionId: string; taskId: number };
  /** Ids the engine gave to retry internals in the current execution; user actions skip them. */
  hiddenIds: number[];
  retries: Record<string, RetryState>;
  /** Timers the code canceled whose pending fire message was already dropped. */
  canceledTimers: number[];
  /** callHttp polls waiting on their timer, by timer id: the hidden id and request of the next call (httpPolling.ts). */
  httpPolls?: Record<string, { callId: number; request: string }>;
  /** Opaque concurrency token set by the store; commitEpisode fails if it changed meanwhile. */
  etag?: string;
}

interface MessageBase {
  /** Deterministic where the sender may send it twice (after a crash), so an upsert dedupes it. */
  id: string;
  instanceId: string;
  /** Messages for a past execution are dropped on delivery; absent = for whatever execution is current. */
  executionId?: string;
  /** Epoch ms (clock time) before which the message is not delivered. */
  dueAt: number;
  /** Tie-breaker for ordering; assigned by the sender. */
  seq: number;
}

/** A history event to deliver to an orchestration. */
export interface EventMessage extends MessageBase {
  kind: 'event';
  event: HistoryEvent;
}

/** An activity to run for an orchestration. */
export interface ActivityMessage extends MessageBase {
  kind: 'activity';
  executionId: string;
  taskId: number;
  name: string;
  /** JSON text of the decoded input. */
  input: string;
  leaseOwner?: string;
  /** Real-time epoch ms. */
  leaseUntil?: number;
  etag?: string;
}

export type Message = EventMessage | ActivityMessage;

export interface EpisodeCommit {
  /** New state; `etag` must be the one read, or undefined when creating. */
  instance: InstanceRecord;
  /** Events to append to the history of `instance.executionId`. */
  append: HistoryEvent[];
  /** Start the history of `instance.executionId` afresh (continue-as-new, restart, rewind). */
  replaceHistory?: boolean;
  /** Messages to acknowledge (delete) atomically with the state change. */
  consumed: string[];
  /** Messages to upsert; written before the atomic part, so their ids must be deterministic. */
  send: Message[];
}

export interface TaskHubStore {
  getInstance(instanceId: string): Promise<InstanceRecord | undefined>;
  listInstances(): Promise<InstanceRecord[]>;
  /** `known`: the record the caller holds; a store may skip re-reading the record when its ETag is current. */
  loadHistory(instanceId: string, executionId: string, known?: InstanceRecord): Promise<HistoryEvent[]>;
  /** Returns false when the instance changed since it was read (another episode won). */
  commitEpisode(commit: EpisodeCommit): Promise<boolean>;
  /** Creates or replaces an instance record outright (startNew), with its first messages. */
  putInstance(instance: InstanceRecord, messages: Message[], replaceHistory: boolean): Promise<boolean>;
  putMessages(messages: Message[]): Promise<void>;
  /** Messages due at or before `now` (epoch ms), ordered by dueAt then seq. */
  dueMessages(now: number, limit?: number): Promise<Message[]>;
  /** Earliest dueAt of any message later than `now`, if any. */
  nextDueAt(now: number): Promise<number | undefined>;
  /** Marks an activity message as taken until `until` (real ms). False if someone else holds it. */
  leaseActivity(message: ActivityMessage, owner: string, until: number): Promise<boolean>;
  deleteMessage(instanceId: string, messageId: string): Promise<void>;
  /** Drops pending messages of an instance, keeping those for `keepExecutionId` and execution-less ones when given. */
  dropMessages(instanceId: string, keepExecutionId?: string): Promise<void>;
  /** Deletes the instance, its history and its messages. */
  purge(instanceId: string): Promise<boolean>;
  close?(): Promise<void>;
  /**
   * In-process wake (optional): the messages this store wrote and has not seen consumed, answered
   * from memory. A hint, never the truth: another process sharing the task hub may have taken a
   * message meanwhile, so an episode reads its messages with readInstanceWork and an activity is
   * leased with the ETag of the write. Undefined when the store does not keep this record (then the
   * scheduler scans on every look).
   */
  writtenWork?(now: number): WrittenWork | undefined;
  /**
   * The instance's record and its due event messages as stored now, in delivery order: one request.
   * When present, the scheduler reads every episode's messages this way, however it found the work.
   */
  readInstanceWork?(instanceId: string, now: number): Promise<InstanceWork>;
}

export interface WrittenWork {
  /** Instances with an event message this store wrote that is due by `now`, each with those message ids in order. */
  instances: Map<string, string[]>;
  /** Activity messages this store wrote that are due by `now`, carrying the ETag of the write. */
  activities: ActivityMessage[];
  /** Earliest due time later than `now` of a message this store wrote. */
  nextDueAt?: number;
}

export interface InstanceWork {
  record?: InstanceRecord;
  /** Due event messages, ordered by dueAt then seq (pending acknowledgements excluded). */
  messages: EventMessage[];
}
