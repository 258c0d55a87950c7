// Event Grid Basic custom topic that receives the workflow's CloudEvents 1.0 batches.

@minLength(3)
@maxLength(50)
param name string

param location string

@description('true: Entra only (the app publishes with its identity and the EventGrid Data Sender role). false: keys also accepted.')
param disableLocalAuth bool = true

param tags { *: string } = {}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  // Its identity writes dead-lettered events to blob storage (subscriber.bicep grants it).
  identity: { type: 'SystemAssigned' }
  properties: {
    // The publisher sends CloudEvents; a topic on the default EventGridSchema answers 400.
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: disableLocalAuth
    publicNetworkAccess: 'Enabled'
  }
}

output name string = topic.name
output id string = topic.id
output principalId string = topic.identity.principalId
@description('https://<topic>.<region>-1.eventgrid.azure.net/api/events, the form EVENTGRID_TOPIC_ENDPOINT expects.')
output endpoint string = topic.properties.endpoint
