/**
 * Every app setting the function app reads, with its default. This list is the contract shared by
 * the config loader, local.settings.json.example and infra/main.bicep (a test cross-checks them).
 * `required: 'always'` settings must be set; `required: 'azure'|'local'` only in that environment.
 */
export interface SettingSpec {
  name: string;
  required: 'always' | 'azure' | 'local' | 'never';
  default?: string;
  description: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    name: 'WORKFLOW_ENVIRONMENT',
    required: 'never',
    default: 'azure',
    description: "'azure' (identity-based, no keys) or 'local' (emulators with their public dev keys).",
  },
  {
    name: 'TASKHUB_NAME',
    required: 'always',
    description: 'Durable task hub name (host.json reads it as %TASKHUB_NAME%).',
  },
  { name: 'COSMOS_ENDPOINT', required: 'always', description: 'Cosmos DB account endpoint.' },
  {
    name: 'COSMOS_KEY',
    required: 'local',
    description: 'Cosmos key; local only (the emulator key). Refused in azure mode.',
  },
  {
    name: 'COSMOS_DATABASE',
    required: 'never',
    default: 'workflow',
    description: 'Database holding events, requests, idempotency.',
  },
  {
    name: 'INTAKE_TABLE_ENDPOINT',
    required: 'azure',
    description: 'Table service endpoint (https://<account>.table.core.windows.net) in azure mode.',
  },
  {
    name: 'INTAKE_TABLE_CONNECTION',
    required: 'local',
    description: 'Table connection string in local mode (UseDevelopmentStorage=true or Azurite).',
  },
  { name: 'INTAKE_TABLE_NAME', required: 'never', default: 'intake', description: 'The intake table.' },
  {
    name: 'EVENTGRID_TOPIC_ENDPOINT',
    required: 'always',
    description: 'Event Grid custom topic endpoint (…/api/events).',
  },
  {
    name: 'EVENTGRID_TOPIC_KEY',
    required: 'local',
    description: 'Topic access key; local only. Refused in azure mode.',
  },
  {
    name: 'EVENT_SOURCE',
    required: 'never',
    default: '/workflow/requests',
    description: 'CloudEvents `source` URI-reference of this app.',
  },
  {
    name: 'EVENT_SCHEMA_BASE_URL',
    required: 'never',
    default: 'https://schemas.example.com/workflow/',
    description: 'Base of each event `dataschema` URI.',
  },
  { name: 'EXTERNAL_SERVICE_URL', required: 'always', description: 'Base URL of the external job service.' },
  {
    name: 'EXTERNAL_SERVICE_AUDIENCE',
    required: 'never',
    description: 'When set, calls carry a DefaultAzureCredential token for this audience.',
  },
  {
    name: 'EXTERNAL_SERVICE_TIMEOUT_MS',
    required: 'never',
    default: '10000',
    description: 'Per-call timeout to the external service.',
  },
  {
    name: 'WORKFLOW_POLL_INITIAL_DELAY_SECONDS',
    required: 'never',
    default: '15',
    description: 'Delay before the first poll.',
  },
  { name: 'WORKFLOW_POLL_BACKOFF_FACTOR', required: 'never', default: '2', description: 'Poll interval multiplier.' },
  { name: 'WORKFLOW_POLL_MAX_INTERVAL_SECONDS', required: 'never', default: '300', description: 'Poll interval cap.' },
  {
    name: 'WORKFLOW_DEADLINE_SECONDS',
    required: 'never',
    default: '86400',
    description: 'Time from admission after which the request times out.',
  },
  {
    name: 'WORKFLOW_MAX_ATTEMPTS',
    required: 'never',
    default: '3',
    description: 'Submission attempts (FailCanRetry → resubmit) before giving up.',
  },
  {
    name: 'WORKFLOW_POLLS_PER_EXECUTION',
    required: 'never',
    default: '20',
    description: 'Polls before continueAsNew keeps history bounded.',
  },
  {
    name: 'WORKFLOW_STEP_RETRY_FIRST_MS',
    required: 'never',
    default: '5000',
    description: 'First retry delay of a step after a transient failure (doubles, capped at 60 s).',
  },
  {
    name: 'WORKFLOW_STEP_RETRY_MAX_ATTEMPTS',
    required: 'never',
    default: '6',
    description: 'Attempts of a step before its failure counts as non-retriable (then the saga compensates).',
  },
  {
    name: 'WORKFLOW_PUBLISH_RETRY_FIRST_MS',
    required: 'never',
    default: '30000',
    description: 'First retry delay of publishEvents (doubles, capped at 10 min).',
  },
  {
    name: 'WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS',
    required: 'never',
    default: '30',
    description: 'Attempts of publishEvents (30 ≈ 4.5 h of Event Grid outage).',
  },
  {
    name: 'DISCOVERY_SCHEDULE',
    required: 'always',
    description:
      'NCRONTAB schedule of the discovery timer; the host resolves %DISCOVERY_SCHEDULE% itself and has no default.',
  },
  { name: 'DISCOVERY_BATCH_SIZE', required: 'never', default: '100', description: 'Rows claimed per discovery run.' },
  {
    name: 'DISCOVERY_STALE_CLAIM_SECONDS',
    required: 'never',
    default: '300',
    description:
      'Discovery looks at a Claimed row again this long after its claim, then at doubling intervals up to 12 times this; a row with no live instance is picked up again.',
  },
  {
    name: 'IDEMPOTENCY_TTL_SECONDS',
    required: 'never',
    default: '604800',
    description: 'How long external side effects are remembered.',
  },
];
