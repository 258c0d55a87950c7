// Parameters for a dev deployment.
using 'main.bicep'

param baseName = 'wf'
param nodeVersion = '22'
param taskHubName = 'workflowhub'

// The external job service the workflow submits to. The repo's mock runs only locally (npm start),
// so an Azure deployment needs a reachable service: export EXTERNAL_SERVICE_URL before deploying.
// No default on purpose: without it the deployment stops here instead of every submission failing later.
param externalServiceUrl = readEnvironmentVariable('EXTERNAL_SERVICE_URL')
// Empty: no token is sent. Set to the service's app id URI (e.g. 'api://<app-id>') to call it with the app's identity.
param externalServiceAudience = readEnvironmentVariable('EXTERNAL_SERVICE_AUDIENCE', '')

// Optional: your object id (az ad signed-in-user show --query id -o tsv), so you can seed the intake
// table and read Cosmos with your own login.
param operatorPrincipalId = readEnvironmentVariable('OPERATOR_PRINCIPAL_ID', '')
