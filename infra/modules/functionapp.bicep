// The function app on the Flex Consumption plan (FC1, Linux), with a system-assigned identity that
// every data-plane call uses: host storage, the Durable task hub, the deployment package, Cosmos,
// Event Grid, the intake table and Application Insights.

param planName string
param appName string
param location string

@description('Node.js major version; Flex Consumption supports 20 and 22.')
@allowed([ '20', '22' ])
param nodeVersion string = '22'

@description('Storage account of the host and the Durable task hub (AzureWebJobsStorage).')
param storageAccountName string

@description('Blob container URL the plan deploys the package from.')
param deploymentContainerUrl string

param appInsightsConnectionString string

@description('The settings the app itself reads (src/infrastructure/config/settings.ts), name -> value.')
param workflowSettings object

@description('Durable backend settings, name -> value: empty on the Azure Storage provider; the provider override and connection on the Durable Task Scheduler.')
param durableBackendSettings object = {}

@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

param tags { *: string } = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

// Host settings. On Flex the runtime comes from functionAppConfig.runtime, so FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE must not be set.
var platformSettings = {
  // Identity-based host storage: account name instead of a connection string. The Durable
  // extension's Azure Storage provider reads the same connection; the Scheduler still needs it for the host.
  AzureWebJobsStorage__accountName: storageAccountName
  // Selects the managed identity; with no __clientId it is the system-assigned one.
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  // Entra auth for telemetry, since the component has local auth disabled (system-assigned form).
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

var allSettings = union(platformSettings, durableBackendSettings, workflowSettings)

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: nodeVersion }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [for setting in items(allSettings): { name: setting.key, value: string(setting.value) }]
    }
  }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
output principalId string = app.identity.principalId
