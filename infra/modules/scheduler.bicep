// Durable Task Scheduler: the managed Durable backend (durableBackend = 'dts' in main.bicep). One
// scheduler with one task hub named like TASKHUB_NAME, so host.json's hubName (%TASKHUB_NAME%) finds it.
// The app reaches it with its managed identity only (Durable Task Data Contributor on the task hub,
// granted in roles.bicep); the scheduler has no keys.

@description('Scheduler name: 3-64 letters, digits or hyphens.')
@minLength(3)
@maxLength(64)
param name string

param location string

@description('Task hub name, the same as TASKHUB_NAME.')
param taskHubName string

@description('Consumption: billed per action (up to about 500 actions/s). Dedicated: billed per capacity unit (about 2,000 actions/s each).')
@allowed([ 'Consumption', 'Dedicated' ])
param skuName string = 'Consumption'

@description('Capacity units of a Dedicated scheduler (1-3); ignored for Consumption.')
@minValue(1)
@maxValue(3)
param capacity int = 1

@description('Addresses (IPv4, IPv6 or CIDR) allowed to reach the scheduler. An empty list denies every caller, the app included.')
@minLength(1)
param ipAllowlist string[]

@description('Client id of a user-assigned identity the app uses; empty for the system-assigned identity.')
param identityClientId string = ''

param tags { *: string } = {}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated' ? { name: 'Dedicated', capacity: capacity } : { name: 'Consumption' }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

var identityPart = empty(identityClientId) ? '' : ';ClientID=${identityClientId}'

output name string = scheduler.name
output taskHubName string = taskHub.name
output endpoint string = scheduler.properties.endpoint
output dashboardUrl string = taskHub.properties.dashboardUrl
@description('The value of DURABLE_TASK_SCHEDULER_CONNECTION_STRING: endpoint plus managed-identity authentication.')
output connectionString string = 'Endpoint=${scheduler.properties.endpoint};Authentication=ManagedIdentity${identityPart}'
