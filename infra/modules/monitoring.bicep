// Log Analytics workspace + workspace-based Application Insights. Local (key) auth is off, so the
// app sends telemetry with its identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING + Monitoring Metrics Publisher).

param logAnalyticsName string
param appInsightsName string
param location string

@minValue(30)
@maxValue(730)
param retentionInDays int = 30

param tags { *: string } = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
output connectionString string = appInsights.properties.ConnectionString
