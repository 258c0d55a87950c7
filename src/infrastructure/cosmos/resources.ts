/**
 * Database and containers. Locally we create them at start; in Azure they come from Bicep, because
 * data-plane RBAC cannot create databases or containers (403 substatus 5300).
 */
import type { Container, CosmosClient, Database } from '@azure/cosmos';

/** Partition key version 2 (large keys hashed in full) everywhere; it cannot change once a container exists. */
export const PARTITION_KEY_VERSION = 2;

export const CONTAINERS = {
  events: { id: 'events', partitionKey: '/aggregateId' },
  requests: { id: 'requests', partitionKey: '/id' },
  /** defaultTtl -1: TTL on, each item carries its own `ttl`. */
  idempotency: { id: 'idempotency', partitionKey: '/id', defaultTtl: -1 },
} as const;

export interface CosmosContainers {
  database: Database;
  events: Container;
  requests: Container;
  idempotency: Container;
}

export function cosmosContainers(client: CosmosClient, database: string): CosmosContainers {
  const db = client.database(database);
  return {
    database: db,
    events: db.container(CONTAINERS.events.id),
    requests: db.container(CONTAINERS.requests.id),
    idempotency: db.container(CONTAINERS.idempotency.id),
  };
}

export async function ensureCosmosResources(client: CosmosClient, database: string): Promise<CosmosContainers> {
  const { database: db } = await client.databases.createIfNotExists({ id: database });
  for (const spec of Object.values(CONTAINERS)) {
    await db.containers.createIfNotExists({
      id: spec.id,
      partitionKey: { paths: [spec.partitionKey], version: PARTITION_KEY_VERSION },
      ...('defaultTtl' in spec ? { defaultTtl: spec.defaultTtl } : {}),
    });
  }
  return cosmosContainers(client, database);
}
