// Storage for the Functions host (Durable task hub, leases), the Flex deployment package and the
// intake table. Shared keys are off: the app, the deployment and operators all use Entra identities.

@description('Storage account name: 3-24 lowercase letters or digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

param location string

@description('The intake table the discovery timer reads (INTAKE_TABLE_NAME).')
param intakeTableName string

@description('Blob container the Flex Consumption plan deploys the app package from.')
param deploymentContainerName string = 'app-package'

param tags { *: string } = {}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Works with Flex because the host, the Durable extension and the deployment container all
    // authenticate with the app's managed identity; nothing needs an account key.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// Created here because the app never creates it in azure mode.
resource intakeTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: intakeTableName
}

var tableEndpointWithSlash = account.properties.primaryEndpoints.table

output name string = account.name
output id string = account.id
@description('Table service URI without the trailing slash, the form INTAKE_TABLE_ENDPOINT expects.')
output tableEndpoint string = endsWith(tableEndpointWithSlash, '/') ? substring(tableEndpointWithSlash, 0, length(tableEndpointWithSlash) - 1) : tableEndpointWithSlash
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
