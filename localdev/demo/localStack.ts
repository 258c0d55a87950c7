/**
 * Everything the function app talks to, on loopback: Azurite (its own process), the Cosmos
 * emulator server, a local Event Grid topic and the external-service mock. Used by `npm start`,
 * the end-to-end tests and the benchmark.
 */
import { join } from 'node:path';
import {
  COSMOS_EMULATOR_KEY,
  startAzurite,
  startCosmos,
  startCosmosProcess,
  startEventGridTopic,
  type AzuriteServers,
  type CosmosServer,
  type LocalTopic,
  type Subscription,
} from '@saga/devhost/localstack';
import { startMockService, type MockService } from '../../mock/server';
import { validateEventData } from '../../src/infrastructure/events/schemaRegistry';
import { appRoot } from '../appRoot';

export interface LocalStack {
  azurite: AzuriteServers;
  cosmos: CosmosServer;
  topic: LocalTopic;
  mock: MockService;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Run the Cosmos emulator as its own process (survives a host crash). Default: in-process. */
  cosmosProcess?: boolean;
  /** Azurite data folder; default in memory. */
  azuriteLocation?: string;
  mock?: Parameters<typeof startMockService>[0];
  /** The topic's subscriptions (e.g. readSubscriptionsFile(subscriptionsFilePath())); default none: the topic only stores. */
  subscriptions?: Subscription[];
  /** Compresses Event Grid's retry schedule and time to live (default 1, Azure's timing). */
  deliveryTimeScale?: number;
}

/** The committed subscriptions file, eventgrid/subscriptions.json. */
export function subscriptionsFilePath(): string {
  return join(appRoot(), 'eventgrid', 'subscriptions.json');
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const azurite = await startAzurite({ location: opts.azuriteLocation });
    started.push(azurite);
    const cosmos = opts.cosmosProcess ? await startCosmosProcess() : await startCosmos();
    started.push(cosmos);
    const topic = await startEventGridTopic({
      key: 'local-topic-key',
      validateData: validateEventData,
      subscriptions: opts.subscriptions,
      deadLetterStorage: azurite.connectionString,
      timeScale: opts.deliveryTimeScale,
    });
    started.push(topic);
    const mock = await startMockService({ auth: 'off', ...opts.mock });
    started.push(mock);
    return {
      azurite,
      cosmos,
      topic,
      mock,
      async stop() {
        for (const s of started.reverse()) await s.stop().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw e;
  }
}

/** Demo timings: seconds, not minutes, so the whole demo finishes quickly. Production defaults stay in settings.ts. */
export const DEMO_TIMINGS: Record<string, string> = {
  WORKFLOW_POLL_INITIAL_DELAY_SECONDS: '1',
  WORKFLOW_POLL_BACKOFF_FACTOR: '1.5',
  WORKFLOW_POLL_MAX_INTERVAL_SECONDS: '3',
  WORKFLOW_DEADLINE_SECONDS: '20',
  WORKFLOW_MAX_ATTEMPTS: '3',
  WORKFLOW_POLLS_PER_EXECUTION: '5',
  WORKFLOW_STEP_RETRY_FIRST_MS: '500',
  WORKFLOW_STEP_RETRY_MAX_ATTEMPTS: '5',
  WORKFLOW_PUBLISH_RETRY_FIRST_MS: '1000',
  WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS: '60',
  DISCOVERY_SCHEDULE: '*/2 * * * * *',
  DISCOVERY_STALE_CLAIM_SECONDS: '30',
};

/** App settings pointing the function app at the local stack. */
export function localSettings(
  stack: LocalStack,
  overrides: Record<string, string> = {},
): Record<string, string> & { INTAKE_TABLE_NAME: string } {
  return {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    AzureWebJobsStorage: stack.azurite.connectionString,
    WORKFLOW_ENVIRONMENT: 'local',
    TASKHUB_NAME: 'DevHostHub',
    COSMOS_ENDPOINT: stack.cosmos.endpoint,
    COSMOS_KEY: COSMOS_EMULATOR_KEY,
    COSMOS_DATABASE: 'workflow',
    INTAKE_TABLE_CONNECTION: stack.azurite.connectionString,
    INTAKE_TABLE_NAME: 'intake',
    EVENTGRID_TOPIC_ENDPOINT: stack.topic.endpoint,
    EVENTGRID_TOPIC_KEY: stack.topic.key,
    EXTERNAL_SERVICE_URL: stack.mock.url,
    ...DEMO_TIMINGS,
    ...overrides,
  };
}
