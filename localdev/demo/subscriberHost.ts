/**
 * The subscriber function app (subscriber/) in a devhost process of its own (the functions-core
 * registry is per process, so a second app needs a second host), attached to the local topic as
 * the function app its subscriptions name. Runs the compiled CLI: build first.
 */
import { join } from 'node:path';
import { startProcessHost, type ProcessHost } from '@saga/devhost';
import { appRoot } from '../appRoot';
import type { LocalStack } from './localStack';

export const SUBSCRIBER_APP = 'subscriber';

export interface SubscriberHostOptions {
  /** Origin of the workflow app (for gap filling) and its function key, if it requires one. */
  workflowUrl: string;
  workflowKey?: string;
  /** Start with --keys (the topic then calls the trigger with the host key, as Azure uses the system key). */
  keys?: boolean;
  port?: number;
  /** Where the subscriber exports its spans (the workflow host's receiver, so one store holds the whole trace). */
  otlpUrl?: string;
}

export function subscriberAppDir(): string {
  return join(appRoot(), 'subscriber');
}

export async function startSubscriberHost(stack: LocalStack, opts: SubscriberHostOptions): Promise<ProcessHost> {
  const host = await startProcessHost({
    appDir: subscriberAppDir(),
    storage: 'memory',
    keys: opts.keys,
    port: opts.port,
    env: {
      SUBSCRIBER_STORAGE: stack.azurite.connectionString,
      WORKFLOW_API_URL: opts.workflowUrl,
      ...(opts.workflowKey ? { WORKFLOW_API_KEY: opts.workflowKey } : {}),
      ...(opts.otlpUrl
        ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: opts.otlpUrl, OTEL_SERVICE_NAME: 'workflow-subscriber' }
        : { OTEL_SERVICE_NAME: 'workflow-subscriber' }),
      DEVHOST_QUIET: '1',
    },
  });
  stack.topic.attachFunctionApp(SUBSCRIBER_APP, host.url, host.masterKey);
  return host;
}
