/**
 * The task hub as the Durable HTTP API (devhost/host) and the test kit see it. The engine
 * implements it over a store (in-memory or Azurite). Shapes follow docs/DURABLE_PROTOCOL.md §9.
 */
export type RuntimeStatus =
  'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Pending' | 'Suspended';

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  /** ISO 8601 with milliseconds; the HTTP layer formats as yyyy-MM-ddTHH:mm:ssZ. */
  createdTime: string;
  lastUpdatedTime: string;
  /** Present only when asked for (showHistory); shaped as the extension's `historyEvents`. */
  historyEvents?: Record<string, unknown>[];
}

export interface ListFilter {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
  showInput?: boolean;
}

/** Result of an operation on an existing instance, mapped by the HTTP layer to 202 / 404 / 410. */
export type OperationResult = 'accepted' | 'notFound' | 'gone';

export interface StartOptions {
  instanceId?: string;
  input?: unknown;
  version?: string;
}

/** An entity as the extension names it: the name lower-cased (EntityId), the key as given. */
export interface EntityRef {
  name: string;
  key: string;
}

/** DurableEntityStatus as the entities/ list returns it. */
export interface EntityStatus {
  entityId: EntityRef;
  /** ISO 8601. */
  lastOperationTime: string;
  state?: unknown;
}

export interface EntityQuery {
  /** Entity name (any case); all entities when absent. */
  name?: string;
  lastOperationFrom?: string;
  lastOperationTo?: string;
  top?: number;
  continuationToken?: string;
  fetchState: boolean;
}

/** Durable entities through the client (HttpApiHandler entities/ routes, DurableClient.signalEntity/readEntityState). */
export interface EntityApi {
  /** Queues one operation; `input` undefined means no input. */
  signalEntity(entity: EntityRef, operation: string, input: unknown): Promise<void>;
  readEntityState(entity: EntityRef): Promise<{ exists: boolean; state?: unknown }>;
  listEntities(query: EntityQuery): Promise<{ items: EntityStatus[]; continuationToken?: string }>;
}

export interface TaskHubApi {
  readonly taskHubName: string;
  /** Names of the registered orchestrator functions (unknown name → HTTP 400). */
  orchestratorNames(): string[];
  /** Creates an instance. Throws InstanceExistsError if it exists in a non-overridable state. */
  startNew(orchestratorName: string, options: StartOptions): Promise<string>;
  getStatus(
    instanceId: string,
    options?: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean },
  ): Promise<InstanceStatus | undefined>;
  list(filter: ListFilter): Promise<{ items: InstanceStatus[]; continuationToken?: string }>;
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<OperationResult>;
  terminate(instanceId: string, reason?: string): Promise<OperationResult>;
  suspend(instanceId: string, reason?: string): Promise<OperationResult>;
  resume(instanceId: string, reason?: string): Promise<OperationResult>;
  rewind(instanceId: string, reason?: string): Promise<OperationResult | 'notSupported'>;
  purge(instanceId: string): Promise<number>;
  /**
   * Starts the instance's orchestrator again with its input (DurableClient.RestartAsync): under a
   * new id, or under the same one. Throws InstanceNotFoundError or InstanceExistsError.
   */
  restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string>;
  /** Present when the task hub runs durable entities. */
  readonly entities?: EntityApi;
  purgeBy(filter: {
    createdTimeFrom: string;
    createdTimeTo?: string;
    runtimeStatus?: RuntimeStatus[];
  }): Promise<number>;
}

/** Signalling an entity whose function the app does not register (DurableClient.SignalEntityAsync: ArgumentException, HTTP 400). */
export class UnknownEntityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownEntityError';
  }
}

export class InstanceNotFoundError extends Error {
  constructor(readonly instanceId: string) {
    super(`An orchestration with the instanceId ${instanceId} was not found.`);
    this.name = 'InstanceNotFoundError';
  }
}

export class InstanceExistsError extends Error {
  constructor(
    readonly instanceId: string,
    readonly runtimeStatus: RuntimeStatus,
  ) {
    super(`An instance with ID '${instanceId}' already exists (status ${runtimeStatus}).`);
    this.name = 'InstanceExistsError';
  }
}
