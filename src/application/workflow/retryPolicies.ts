import { RetryOptions } from 'durable-functions';
import type { RetrySettings } from './contracts';

export const DEFAULT_RETRY: RetrySettings = {
  stepFirstRetryMs: 5_000,
  stepMaxAttempts: 6,
  // 30 s doubling up to 10 min, 30 attempts: about 4.5 hours of Event Grid outage.
  publishFirstRetryMs: 30_000,
  publishMaxAttempts: 30,
  maxRetryIntervalMs: 600_000,
};

export interface RetryPolicies {
  step: RetryOptions;
  publish: RetryOptions;
}

export function retryPolicies(settings: RetrySettings | undefined): RetryPolicies {
  const s = { ...DEFAULT_RETRY, ...settings };
  const step = new RetryOptions(s.stepFirstRetryMs, s.stepMaxAttempts);
  step.backoffCoefficient = 2;
  step.maxRetryIntervalInMilliseconds = Math.min(s.maxRetryIntervalMs, 60_000);
  const publish = new RetryOptions(s.publishFirstRetryMs, s.publishMaxAttempts);
  publish.backoffCoefficient = 2;
  publish.maxRetryIntervalInMilliseconds = s.maxRetryIntervalMs;
  return { step, publish };
}
