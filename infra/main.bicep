// The whole workflow in one resource group: storage (host + intake table), Cosmos DB (event store),
// Event Grid topic, monitoring, the Flex Consumption function app and its role grants, and with
// durableBackend = 'dts' a Durable Task Scheduler for the task hub.
// No keys anywhere: the app authenticates to every service with its managed identity.
// First check: `az bicep build --file infra/main.bicep`. Deploy: see docs/DEPLOY_AZURE.md.

targetScope = 'resourceGroup'

@description('Short prefix for resource names: 2-10 characters from a-z, 0-9 and inner hyphens (upper case is lowered). It names the Cosmos account and the topic, whose names allow only these.')
@minLength(2)
@maxLength(10)
param baseName string = 'wf'

param location string = resourceGroup().location

@description('Node.js major version of the function app. 22: the app exports spans with @azure/monitor-opentelemetry-exporter, which needs Node 22.')
@allowed([ '22' ])
param nodeVersion string = '22'

// ---- Durable backend (docs/DEPLOY_AZURE.md, "Durable backend"). Changing it starts on an empty task
// hub: running instances do not move between backends.

@description('azureStorage: the Durable Azure Storage provider in the host storage account. dts: a Durable Task Scheduler.')
@allowed([ 'azureStorage', 'dts' ])
param durableBackend string = 'azureStorage'

@description('dts only: Consumption (per action) or Dedicated (per capacity unit).')
@allowed([ 'Consumption', 'Dedicated' ])
param schedulerSku string = 'Consumption'

@description('dts only: capacity units of a Dedicated scheduler, 1-3.')
@minValue(1)
@maxValue(3)
param schedulerCapacity int = 1

@description('dts only: addresses (IPv4, IPv6, CIDR) allowed to reach the scheduler. Flex Consumption has no fixed outbound address, so the default admits all; access still needs the Durable Task Data Contributor role.')
@minLength(1)
param schedulerIpAllowlist string[] = [ '0.0.0.0/0' ]

// ---- what the app reads (names match src/infrastructure/config/settings.ts)

@description('TASKHUB_NAME: Durable task hub, 3-45 letters or digits starting with a letter. Change it to start on a fresh hub.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'workflowhub'

@description('COSMOS_DATABASE')
param cosmosDatabaseName string = 'workflow'

@description('INTAKE_TABLE_NAME: 3-63 letters or digits starting with a letter (the app refuses any other name at start, as Azure Tables do).')
@minLength(3)
@maxLength(63)
param intakeTableName string = 'intake'

@description('EXTERNAL_SERVICE_URL: base URL of the external job service. Required, no default: the mock is local-only, and a placeholder would fail every submission at run time.')
@minLength(9)
param externalServiceUrl string

@description('EXTERNAL_SERVICE_AUDIENCE: when set, calls carry a token for this audience; empty means no token.')
param externalServiceAudience string = ''

@description('EXTERNAL_SERVICE_TIMEOUT_MS')
@minValue(1)
param externalServiceTimeoutMs int = 10000

@description('EVENT_SOURCE: CloudEvents `source` of this app.')
param eventSource string = '/workflow/requests'

@description('EVENT_SCHEMA_BASE_URL: base of each event `dataschema` URI.')
param eventSchemaBaseUrl string = 'https://schemas.example.com/workflow/'

@description('WORKFLOW_POLL_INITIAL_DELAY_SECONDS')
@minValue(1)
param pollInitialDelaySeconds int = 15

@description('WORKFLOW_POLL_BACKOFF_FACTOR (a decimal, hence a string)')
param pollBackoffFactor string = '2'

@description('WORKFLOW_POLL_MAX_INTERVAL_SECONDS')
@minValue(1)
param pollMaxIntervalSeconds int = 300

@description('WORKFLOW_DEADLINE_SECONDS')
@minValue(1)
param deadlineSeconds int = 86400

@description('WORKFLOW_MAX_ATTEMPTS')
@minValue(1)
param maxAttempts int = 3

@description('WORKFLOW_POLLS_PER_EXECUTION')
@minValue(1)
param pollsPerExecution int = 20

@description('WORKFLOW_STEP_RETRY_FIRST_MS: first retry delay of a step after a transient failure.')
@minValue(1)
param stepRetryFirstMs int = 5000

@description('WORKFLOW_STEP_RETRY_MAX_ATTEMPTS: attempts before a step failure counts as non-retriable (then the saga compensates).')
@minValue(1)
param stepRetryMaxAttempts int = 6

@description('WORKFLOW_PUBLISH_RETRY_FIRST_MS: first retry delay of publishEvents.')
@minValue(1)
param publishRetryFirstMs int = 30000

@description('WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS: attempts of publishEvents (30 is about 4.5 h of Event Grid outage).')
@minValue(1)
param publishRetryMaxAttempts int = 30

@description('DISCOVERY_SCHEDULE: NCRONTAB, six fields, seconds first.')
param discoverySchedule string = '0 */1 * * * *'

@description('DISCOVERY_BATCH_SIZE')
@minValue(1)
param discoveryBatchSize int = 100

@description('DISCOVERY_STALE_CLAIM_SECONDS')
@minValue(1)
param discoveryStaleClaimSeconds int = 300

@description('IDEMPOTENCY_TTL_SECONDS')
@minValue(1)
param idempotencyTtlSeconds int = 604800

// ---- security and access

@description('true: the topic accepts Entra tokens only.')
param eventGridDisableLocalAuth bool = true

@description('Optional object id of the person or group who seeds the intake table and reads Cosmos (az ad signed-in-user show --query id -o tsv).')
param operatorPrincipalId string = ''

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param operatorPrincipalType string = 'User'

@description('Create the topic event subscriptions (needs the subscriber code deployed first: Event Grid checks the function exists).')
param createEventSubscriptions bool = false

@description('Tags on every resource: tag name -> string value.')
param tags { *: string } = {}

// Lower-cased once: Cosmos account and topic names take only lower-case letters, digits and hyphens.
var prefix = toLower(baseName)
var token = uniqueString(subscription().id, resourceGroup().id, prefix)
var names = {
  storage: take('st${replace(prefix, '-', '')}${token}', 24)
  cosmos: '${prefix}-cosmos-${token}'
  topic: '${prefix}-evgt-${token}'
  logAnalytics: '${prefix}-log-${token}'
  appInsights: '${prefix}-appi-${token}'
  plan: '${prefix}-plan-${token}'
  functionApp: '${prefix}-func-${token}'
  scheduler: '${prefix}-dts-${token}'
  subscriberPlan: '${prefix}-subplan-${token}'
  subscriberApp: '${prefix}-sub-${token}'
}
var useScheduler = durableBackend == 'dts'

// Module deployments are named after this deployment, so two deployments of the template (say to
// two resource groups at once, or a what-if beside a create) never share or overwrite one.
var deploymentSuffix = take(deployment().name, 50)

module storage 'modules/storage.bicep' = {
  name: 'storage-${deploymentSuffix}'
  params: {
    name: names.storage
    location: location
    intakeTableName: intakeTableName
    tags: tags
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos-${deploymentSuffix}'
  params: {
    name: names.cosmos
    location: location
    databaseName: cosmosDatabaseName
    tags: tags
  }
}

module eventGrid 'modules/eventgrid.bicep' = {
  name: 'eventgrid-${deploymentSuffix}'
  params: {
    name: names.topic
    location: location
    disableLocalAuth: eventGridDisableLocalAuth
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring-${deploymentSuffix}'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
  }
}

module scheduler 'modules/scheduler.bicep' = if (useScheduler) {
  name: 'scheduler-${deploymentSuffix}'
  params: {
    name: names.scheduler
    location: location
    taskHubName: taskHubName
    skuName: schedulerSku
    capacity: schedulerCapacity
    ipAllowlist: schedulerIpAllowlist
    tags: tags
  }
}

// host.json names the Azure Storage provider; on the Scheduler these app settings override it (the
// documented AzureFunctionsJobHost__<path> override of host.json), so one package serves both
// backends. host.json's extension bundle range [4.32.0, 5.0.0) holds the azureManaged provider.
var durableBackendSettings = useScheduler ? {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: scheduler!.outputs.connectionString
} : {}

// Every setting of settings.ts except the local-only ones (COSMOS_KEY, EVENTGRID_TOPIC_KEY,
// INTAKE_TABLE_CONNECTION), which the app refuses in azure mode. Defaults are written out so the
// portal shows the effective configuration (test/unit/infra/crosscheck.unit.spec.ts checks all of this).
var workflowSettings = {
  WORKFLOW_ENVIRONMENT: 'azure'
  TASKHUB_NAME: taskHubName
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  COSMOS_DATABASE: cosmosDatabaseName
  INTAKE_TABLE_ENDPOINT: storage.outputs.tableEndpoint
  INTAKE_TABLE_NAME: intakeTableName
  EVENTGRID_TOPIC_ENDPOINT: eventGrid.outputs.endpoint
  EVENT_SOURCE: eventSource
  EVENT_SCHEMA_BASE_URL: eventSchemaBaseUrl
  EXTERNAL_SERVICE_URL: externalServiceUrl
  EXTERNAL_SERVICE_AUDIENCE: externalServiceAudience
  EXTERNAL_SERVICE_TIMEOUT_MS: string(externalServiceTimeoutMs)
  WORKFLOW_POLL_INITIAL_DELAY_SECONDS: string(pollInitialDelaySeconds)
  WORKFLOW_POLL_BACKOFF_FACTOR: pollBackoffFactor
  WORKFLOW_POLL_MAX_INTERVAL_SECONDS: string(pollMaxIntervalSeconds)
  WORKFLOW_DEADLINE_SECONDS: string(deadlineSeconds)
  WORKFLOW_MAX_ATTEMPTS: string(maxAttempts)
  WORKFLOW_POLLS_PER_EXECUTION: string(pollsPerExecution)
  WORKFLOW_STEP_RETRY_FIRST_MS: string(stepRetryFirstMs)
  WORKFLOW_STEP_RETRY_MAX_ATTEMPTS: string(stepRetryMaxAttempts)
  WORKFLOW_PUBLISH_RETRY_FIRST_MS: string(publishRetryFirstMs)
  WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS: string(publishRetryMaxAttempts)
  DISCOVERY_SCHEDULE: discoverySchedule
  DISCOVERY_BATCH_SIZE: string(discoveryBatchSize)
  DISCOVERY_STALE_CLAIM_SECONDS: string(discoveryStaleClaimSeconds)
  IDEMPOTENCY_TTL_SECONDS: string(idempotencyTtlSeconds)
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp-${deploymentSuffix}'
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    nodeVersion: nodeVersion
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    workflowSettings: workflowSettings
    durableBackendSettings: durableBackendSettings
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles-${deploymentSuffix}'
  params: {
    appPrincipalId: functionApp.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    storageAccountName: storage.outputs.name
    cosmosAccountName: cosmos.outputs.name
    topicName: eventGrid.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    schedulerName: useScheduler ? scheduler!.outputs.name : ''
    schedulerTaskHubName: taskHubName
  }
}

// The event subscriber app and the topic's subscriptions (eventgrid/subscriptions.json).
module subscriber 'modules/subscriber.bicep' = {
  name: 'subscriber-${deploymentSuffix}'
  params: {
    location: location
    planName: names.subscriberPlan
    appName: names.subscriberApp
    nodeVersion: nodeVersion
    storageAccountName: storage.outputs.name
    tableEndpoint: storage.outputs.tableEndpoint
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsConnectionString: monitoring.outputs.connectionString
    topicName: eventGrid.outputs.name
    topicPrincipalId: eventGrid.outputs.principalId
    workflowAppHost: functionApp.outputs.defaultHostName
    roleIds: roles.outputs.roleIds
    createEventSubscriptions: createEventSubscriptions
    tags: tags
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHost string = functionApp.outputs.defaultHostName
output topicEndpoint string = eventGrid.outputs.endpoint
output cosmosEndpoint string = cosmos.outputs.endpoint
output storageAccountName string = storage.outputs.name
output intakeTableName string = intakeTableName
output cosmosAccountName string = cosmos.outputs.name
output appInsightsName string = monitoring.outputs.appInsightsName
output durableBackend string = durableBackend
output schedulerDashboardUrl string = useScheduler ? scheduler!.outputs.dashboardUrl : ''
output subscriberAppName string = subscriber.outputs.name
