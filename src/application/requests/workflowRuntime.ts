/**
 * Port over the orchestration runtime (Durable Functions), so discovery and the request API stay
 * testable and free of the durable-functions client.
 */
import type { WorkflowInput } from '../workflow/contracts';

export type InstanceState =
  'Running' | 'Pending' | 'Suspended' | 'ContinuedAsNew' | 'Completed' | 'Failed' | 'Terminated' | 'Canceled';

export interface InstanceInfo {
  instanceId: string;
  runtimeStatus: InstanceState;
  customStatus?: unknown;
  output?: unknown;
  createdTime?: string;
  lastUpdatedTime?: string;
}

export interface WorkflowRuntime {
  status(instanceId: string): Promise<InstanceInfo | undefined>;
  start(instanceId: string, input: WorkflowInput): Promise<void>;
  raiseCancel(instanceId: string, reason: string): Promise<void>;
  /** Management links (status query etc.) for an instance, as the runtime publishes them. */
  managementLinks(instanceId: string): Record<string, string>;
}

/** Instances in these states may be started again under the same id (Durable's overridable states). */
export const RESTARTABLE: readonly InstanceState[] = ['Failed', 'Terminated', 'Canceled'];
export const ACTIVE: readonly InstanceState[] = ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'];
