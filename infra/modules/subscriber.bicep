// The subscriber: its own Flex Consumption function app (subscriber/), the topic's event
// subscriptions from eventgrid/subscriptions.json (the file the local topic delivers by), and the
// dead-letter container the topic writes to with its own managed identity. Least privilege: the
// subscriber may use blobs (host, deployment) and tables (its read model) of the storage account;
// the topic may write blobs in the dead-letter container only.

param location string

param planName string
param appName string

@allowed([ '20', '22' ])
param nodeVersion string = '22'

@description('The shared storage account (host storage, read-model tables, dead-letter container).')
param storageAccountName string

@description('Table service URI, the form SUBSCRIBER_TABLE_ENDPOINT expects.')
param tableEndpoint string

param appInsightsName string
param appInsightsConnectionString string

param topicName string

@description('Object id of the topic system-assigned identity (dead-lettering).')
param topicPrincipalId string

@description('Host name of the workflow app, for gap filling (GET /api/requests/{id}/events).')
param workflowAppHost string

@description('Role definition ids, from roles.bicep (where every id is written once).')
param roleIds object

@description('Event Grid checks an AzureFunction destination exists: create the subscriptions once the subscriber code is deployed (docs/DEPLOY_AZURE.md).')
param createEventSubscriptions bool = false

param tags { *: string } = {}

// The same file the local topic reads; its destinations name the app this module deploys.
var subscriptionsFile = loadJsonContent('../../eventgrid/subscriptions.json')
var deploymentContainerName = 'subscriber-package'
var readModelTables = [ 'SubscriberInbox', 'SubscriberDaily', 'SubscriberIntervention' ]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource deadLetterContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for s in subscriptionsFile.subscriptions: {
  parent: blobService
  name: s.deadLetterDestination.blobContainerName
  properties: { publicAccess: 'None' }
}]

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for t in readModelTables: {
  parent: tableService
  name: t
}]

module app 'functionapp.bicep' = {
  // Named after this module's deployment (itself named per deployment in main.bicep).
  name: take('${deployment().name}-app', 64)
  params: {
    planName: planName
    appName: appName
    location: location
    nodeVersion: nodeVersion
    storageAccountName: storageAccountName
    deploymentContainerUrl: '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
    appInsightsConnectionString: appInsightsConnectionString
    // The subscriber's settings (subscriber/src/settings.ts). WORKFLOW_API_KEY is set after deployment.
    workflowSettings: {
      SUBSCRIBER_TABLE_ENDPOINT: tableEndpoint
      WORKFLOW_API_URL: 'https://${workflowAppHost}'
    }
    maximumInstanceCount: 40
    tags: tags
  }
}

// Blob Data Owner: host leases and secrets, the deployment container. Table Data Contributor: the read model.
var subscriberStorageRoleIds = [
  roleIds.storageBlobDataOwner
  roleIds.storageTableDataContributor
]

resource subscriberStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in subscriberStorageRoleIds: {
  name: guid(storage.id, appName, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: app.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource subscriberTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appName, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: app.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

// The topic writes dead letters with its own identity, to its dead-letter container only.
resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (s, i) in subscriptionsFile.subscriptions: {
  name: guid(deadLetterContainers[i].id, topicPrincipalId, roleIds.storageBlobDataContributor)
  scope: deadLetterContainers[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource eventSubscriptions 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [for (s, i) in subscriptionsFile.subscriptions: if (createEventSubscriptions) {
  parent: topic
  name: s.name
  properties: {
    eventDeliverySchema: s.eventDeliverySchema
    filter: s.filter
    retryPolicy: s.retryPolicy
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${app.outputs.id}/functions/${s.destination.functionName}'
        maxEventsPerBatch: s.destination.maxEventsPerBatch
      }
    }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: s.deadLetterDestination.blobContainerName
        }
      }
    }
  }
  dependsOn: [ topicDeadLetterWriter ]
}]

output name string = app.outputs.name
output defaultHostName string = app.outputs.defaultHostName
output principalId string = app.outputs.principalId
