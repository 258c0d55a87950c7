// Cosmos DB for NoSQL: the event store, the projection and the idempotency records.
// Keys are disabled, so the app reaches it only through the data-plane role assigned in roles.bicep.
// Database and containers are declared here because data-plane RBAC cannot create them at runtime.

@description('Account name: 3-44 lowercase letters, digits or hyphens, globally unique.')
@minLength(3)
@maxLength(44)
param name string

param location string

@description('Database name (COSMOS_DATABASE).')
param databaseName string

param tags { *: string } = {}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [ { locationName: location, failoverPriority: 0, isZoneRedundant: false } ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    // Serverless: pay per request, no idle cost. Switch to provisioned (autoscale) for steady load.
    capabilities: [ { name: 'EnableServerless' } ]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// Every container uses partition key version 2 (large keys hashed in full): it cannot change after the
// container exists, and the local emulator containers are created the same way (resources.ts).

// One document per domain event; id = stream version, so (aggregateId, id) is unique. No TTL: events are kept.
resource eventsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: 'events'
  properties: {
    resource: {
      id: 'events'
      partitionKey: { paths: [ '/aggregateId' ], kind: 'Hash', version: 2 }
    }
  }
}

// The projection (read model), one document per request; rebuildable from events.
resource requestsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: 'requests'
  properties: {
    resource: {
      id: 'requests'
      partitionKey: { paths: [ '/id' ], kind: 'Hash', version: 2 }
    }
  }
}

// Records of external side effects. defaultTtl -1 turns TTL on without a default, so each record
// expires after its own `ttl` (IDEMPOTENCY_TTL_SECONDS); without it item ttl values are ignored.
resource idempotencyContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: 'idempotency'
  properties: {
    resource: {
      id: 'idempotency'
      partitionKey: { paths: [ '/id' ], kind: 'Hash', version: 2 }
      defaultTtl: -1
    }
  }
}

output name string = account.name
output id string = account.id
output endpoint string = account.properties.documentEndpoint
