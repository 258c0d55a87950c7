/**
 * `@saga/devhost/engine`: the Durable task hub the host runs (engine, stores, clocks), the DTFx
 * history it keeps and the model of Azure's replay checks, for tools and tests that drive it directly.
 */
export * from './durable/index';
export {
  InstanceExistsError,
  InstanceNotFoundError,
  UnknownEntityError,
  type EntityApi,
  type EntityRef,
  type EntityStatus,
  type InstanceStatus,
  type ListFilter,
  type OperationResult,
  type RuntimeStatus,
  type StartOptions,
  type TaskHubApi,
} from './durable/api';
export { ActionType, type OrchestratorAction, type OrchestratorState } from './durable/actions';
export { EventType, EventTypeName, historyEvent } from './durable/history';
export { replayAsAzure, type AzureVerdict } from './durable/dtfx';
export { TableTaskHubStore, type TableTaskHubStoreOptions } from './durable/store/tableStore';
export type { ActivityMessage, EpisodeCommit, EventMessage } from './durable/store/types';
