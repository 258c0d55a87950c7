export { createCosmosClient, cosmosHttpsAgent, type CosmosConfig } from './client';
export { ensureCosmosResources, cosmosContainers, CONTAINERS, type CosmosContainers } from './resources';
export { CosmosEventStore, MAX_EVENTS_PER_APPEND } from './eventStore';
export { CosmosRequestProjection, type RequestProjectionOptions } from './requestProjection';
export { CosmosIdempotencyStore, type IdempotencyStoreOptions } from './idempotencyStore';
export { mapCosmosError } from './errors';
