import path from 'node:path';
import type { WorkflowInput } from '../../src/application/workflow/contracts';
import type { WorkflowPolicy } from '../../src/domain/policies';

export const APP = path.join(__dirname, 'sagaApp.ts');
export const START = new Date('2024-01-01T00:00:00.000Z');
export const POLICY: WorkflowPolicy = {
  pollInitialDelaySeconds: 15,
  pollBackoffFactor: 2,
  pollMaxIntervalSeconds: 300,
  deadlineSeconds: 86_400,
  maxAttempts: 3,
  pollsPerExecution: 20,
};
export const RETRY = {
  stepFirstRetryMs: 1000,
  stepMaxAttempts: 3,
  publishFirstRetryMs: 1000,
  publishMaxAttempts: 3,
  maxRetryIntervalMs: 60_000,
};

export function input(requestId: string, policy: Partial<WorkflowPolicy> = {}): WorkflowInput {
  return {
    requestId,
    intake: { partitionKey: 'p', rowKey: requestId },
    payload: { scenario: 'x' },
    policy: { ...POLICY, ...policy },
    retry: RETRY,
  };
}
