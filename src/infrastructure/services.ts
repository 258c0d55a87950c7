/**
 * Composition root: builds every adapter once per process from the validated configuration.
 * Lazy, so the host can load the app (and list its functions) even before settings are complete;
 * the first invocation that needs a dependency gets a ConfigurationError naming what is missing.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createWorkflowSteps, type WorkflowSteps } from '../application/steps/workflowSteps';
import type {
  EventPublisher,
  EventStore,
  ExternalJobs,
  IdempotencyStore,
  IntakeRepository,
  RequestProjection,
} from '../application/ports';
import { loadConfig, type AppConfig } from './config/loadConfig';
import {
  CosmosEventStore,
  CosmosIdempotencyStore,
  CosmosRequestProjection,
  cosmosContainers,
  createCosmosClient,
  ensureCosmosResources,
} from './cosmos';
import { EventGridEventPublisher } from './eventgrid';
import { HttpExternalJobs } from './external';
import { TableIntakeRepository, createIntakeTableClient } from './tables';
import { hostOf, traced } from './telemetry/traced';

export interface Services {
  config: AppConfig;
  eventStore: EventStore;
  projection: RequestProjection;
  idempotency: IdempotencyStore;
  intake: IntakeRepository;
  publisher: EventPublisher;
  externalJobs: ExternalJobs;
  steps: WorkflowSteps;
}

let services: Promise<Services> | undefined;

export function getServices(): Promise<Services> {
  services ??= buildServices(loadConfig()).catch((e: unknown) => {
    services = undefined; // a later invocation retries (e.g. Cosmos was still starting)
    throw e;
  });
  return services;
}

/** For tests and the devhost: build from explicit settings instead of process.env. */
export async function buildServices(config: AppConfig): Promise<Services> {
  let credential: TokenCredential | undefined;
  const azureCredential = (): TokenCredential => (credential ??= new DefaultAzureCredential());
  const local = config.environment === 'local';

  const cosmos = createCosmosClient({
    endpoint: config.cosmos.endpoint,
    key: config.cosmos.key,
    credential: local ? undefined : azureCredential(),
  });
  // Locally the emulator starts empty, so the app creates what it needs; in Azure, Bicep does
  // (data-plane RBAC cannot create databases or containers).
  const containers = local
    ? await ensureCosmosResources(cosmos, config.cosmos.database)
    : cosmosContainers(cosmos, config.cosmos.database);

  const table = createIntakeTableClient({
    tableName: config.intake.tableName,
    connectionString: config.intake.connectionString,
    endpoint: config.intake.endpoint,
    credential: config.intake.connectionString ? undefined : azureCredential(),
  });

  // Every store call is a client span (db semantic conventions); the adapters stay plain translations.
  const cosmosTarget = (collection: string) => ({
    system: 'azure.cosmosdb',
    namespace: config.cosmos.database,
    collection,
    server: hostOf(config.cosmos.endpoint),
  });
  const eventStore = traced(new CosmosEventStore(containers.events), cosmosTarget('events'));
  const projection = traced(
    new CosmosRequestProjection(containers.requests, { events: eventStore }),
    cosmosTarget('requests'),
  );
  const idempotency = traced(
    new CosmosIdempotencyStore(containers.idempotency, { ttlSeconds: config.idempotencyTtlSeconds }),
    cosmosTarget('idempotency'),
  );
  const tables = new TableIntakeRepository(table);
  if (local) await tables.ensureTable();
  const intake = traced(tables, {
    system: 'azure.tables',
    namespace:
      hostOf(config.intake.endpoint) ??
      /AccountName=([^;]+)/.exec(config.intake.connectionString ?? '')?.[1] ??
      'storage',
    collection: config.intake.tableName,
    server: hostOf(config.intake.endpoint ?? /TableEndpoint=([^;]+)/.exec(config.intake.connectionString ?? '')?.[1]),
  });
  const publisher = new EventGridEventPublisher({
    endpoint: config.eventGrid.endpoint,
    key: config.eventGrid.key,
    credential: config.eventGrid.key ? undefined : azureCredential(),
    source: config.eventGrid.source,
    schemaBaseUrl: config.eventGrid.schemaBaseUrl,
  });
  const externalJobs = new HttpExternalJobs({
    baseUrl: config.external.baseUrl,
    audience: config.external.audience,
    timeoutMs: config.external.timeoutMs,
    credential: config.external.audience ? azureCredential() : undefined,
  });
  const steps = createWorkflowSteps({ eventStore, projection, publisher, intake, externalJobs, idempotency });
  return { config, eventStore, projection, idempotency, intake, publisher, externalJobs, steps };
}
