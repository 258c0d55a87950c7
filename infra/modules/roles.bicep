// Least-privilege grants for the function app's identity (and optionally an operator).
// Every role definition id is written once, here. Sources: azure-facts.md §1.1, §2.5, §3.2, §4.2
// (built-in-roles.md and the Cosmos data-plane role reference).

@description('Object id of the function app system-assigned identity.')
param appPrincipalId string

@description('Optional: object id of a person or group that seeds the intake table and reads Cosmos. Empty: no grant.')
param operatorPrincipalId string = ''

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param operatorPrincipalType string = 'User'

param storageAccountName string
param cosmosAccountName string
param topicName string
param appInsightsName string

@description('Durable Task Scheduler name when durableBackend is dts; empty on the Azure Storage provider (no grant).')
param schedulerName string = ''

@description('Task hub on that scheduler (TASKHUB_NAME).')
param schedulerTaskHubName string = ''

// ---- Azure RBAC role definitions (control-plane ids of data-plane roles)
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var eventGridDataSenderRoleId = 'd5a91429-5739-47e2-a06b-3470a27159e7'
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'
// The topic's identity writes dead letters (subscriber.bicep grants it on the dead-letter container).
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// ---- Cosmos DB data-plane role definitions (sqlRoleDefinitions, not Azure RBAC)
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'
var cosmosDataReaderRoleId = '00000000-0000-0000-0000-000000000001'

// Blob Data Owner: host leases and secrets, Durable large-message blobs, the deployment container.
// Queue Data Contributor: Durable control and work-item queues.
// Table Data Contributor: Durable History/Instances tables and the intake table.
var appStorageRoleIds = [
  storageBlobDataOwnerRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' existing = if (!empty(schedulerName)) {
  name: schedulerName
}

resource schedulerTaskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' existing = if (!empty(schedulerName)) {
  parent: scheduler
  name: schedulerTaskHubName
}

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in appStorageRoleIds: {
  name: guid(storage.id, appPrincipalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource appTopicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appPrincipalId, eventGridDataSenderRoleId)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appTelemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Durable Task Scheduler: run orchestrations and activities on this task hub (and nothing else).
resource appTaskHubContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(schedulerName)) {
  name: guid(schedulerTaskHub.id, appPrincipalId, durableTaskDataContributorRoleId)
  scope: schedulerTaskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Data plane: read/write items in every container. It cannot create databases or containers,
// which is why cosmos.bicep declares them.
resource appCosmosContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, appPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: appPrincipalId
    scope: cosmos.id
  }
}

// Operator: seed and inspect intake rows (az storage entity ... --auth-mode login), read events.
resource operatorTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(storage.id, operatorPrincipalId, storageTableDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// After the app's assignment, not beside it: Cosmos rejects concurrent role-assignment writes on one
// account with 412, so every sqlRoleAssignment depends on the one before it.
resource operatorCosmosReader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(operatorPrincipalId)) {
  parent: cosmos
  dependsOn: [ appCosmosContributor ]
  name: guid(cosmos.id, operatorPrincipalId, cosmosDataReaderRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataReaderRoleId}'
    principalId: operatorPrincipalId
    scope: cosmos.id
  }
}

@description('Role definition ids for the other modules that grant roles (subscriber.bicep).')
output roleIds object = {
  storageBlobDataOwner: storageBlobDataOwnerRoleId
  storageTableDataContributor: storageTableDataContributorRoleId
  storageBlobDataContributor: storageBlobDataContributorRoleId
  monitoringMetricsPublisher: monitoringMetricsPublisherRoleId
}
