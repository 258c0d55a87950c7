import type { DiscoveryDeps } from '../application/requests/discoverRequests';
import type { WorkflowRuntime } from '../application/requests/workflowRuntime';
import type { Services } from '../infrastructure/services';

export function discoveryDeps(s: Services, runtime: WorkflowRuntime): DiscoveryDeps {
  return {
    intake: s.intake,
    runtime,
    policy: s.config.policy,
    retry: s.config.retry,
    batchSize: s.config.discovery.batchSize,
    staleClaimSeconds: s.config.discovery.staleClaimSeconds,
    now: () => new Date(),
  };
}
