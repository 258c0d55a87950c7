import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigurationError } from '../../../src/application/errors';
import { DEFAULT_WORKFLOW_POLICY } from '../../../src/domain/policies';
import { loadConfig, workflowPolicyFrom } from '../../../src/infrastructure/config/loadConfig';
import { SETTINGS } from '../../../src/infrastructure/config/settings';

describe('loadConfig', () => {
  it('applies the documented defaults in azure mode', () => {
    const config = loadConfig(AZURE);
    expect(config).to.deep.equal({
      environment: 'azure',
      taskHubName: 'WorkflowHub',
      cosmos: { endpoint: 'https://acct.documents.azure.com:443/', database: 'workflow' },
      intake: { endpoint: 'https://acct.table.core.windows.net', tableName: 'intake' },
      eventGrid: {
        endpoint: 'https://topic.westeurope-1.eventgrid.azure.net/api/events',
        source: '/workflow/requests',
        schemaBaseUrl: 'https://schemas.example.com/workflow/',
      },
      external: { baseUrl: 'https://jobs.example.com', timeoutMs: 10000 },
      policy: DEFAULT_WORKFLOW_POLICY,
      discovery: { schedule: '0 */1 * * * *', batchSize: 100, staleClaimSeconds: 300 },
      idempotencyTtlSeconds: 604800,
      retry: {
        stepFirstRetryMs: 5000,
        stepMaxAttempts: 6,
        publishFirstRetryMs: 30000,
        publishMaxAttempts: 30,
        maxRetryIntervalMs: 600000,
      },
    });
    expect(workflowPolicyFrom(config)).to.deep.equal(DEFAULT_WORKFLOW_POLICY);
  });

  it('defaults of settings.ts and of the domain policy agree', () => {
    const defaults = Object.fromEntries(
      SETTINGS.filter((s) => s.default !== undefined).map((s) => [s.name, Number(s.default)]),
    );
    expect({
      pollInitialDelaySeconds: defaults.WORKFLOW_POLL_INITIAL_DELAY_SECONDS,
      pollBackoffFactor: defaults.WORKFLOW_POLL_BACKOFF_FACTOR,
      pollMaxIntervalSeconds: defaults.WORKFLOW_POLL_MAX_INTERVAL_SECONDS,
      deadlineSeconds: defaults.WORKFLOW_DEADLINE_SECONDS,
      maxAttempts: defaults.WORKFLOW_MAX_ATTEMPTS,
      pollsPerExecution: defaults.WORKFLOW_POLLS_PER_EXECUTION,
    }).to.deep.equal(DEFAULT_WORKFLOW_POLICY);
  });

  it('returns a frozen object, nested parts included', () => {
    const config = loadConfig(AZURE);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.policy)).to.equal(true);
    expect(Object.isFrozen(config.cosmos)).to.equal(true);
  });

  it('reads overrides, trims values and treats empty values as unset', () => {
    const config = loadConfig({
      ...AZURE,
      WORKFLOW_MAX_ATTEMPTS: ' 5 ',
      WORKFLOW_POLL_BACKOFF_FACTOR: '1.5',
      EXTERNAL_SERVICE_AUDIENCE: '',
      COSMOS_DATABASE: '',
      EVENT_SCHEMA_BASE_URL: 'https://contracts.example.org/events',
    });
    expect(config.policy.maxAttempts).to.equal(5);
    expect(config.policy.pollBackoffFactor).to.equal(1.5);
    expect(config.external).to.not.have.property('audience');
    expect(config.cosmos.database).to.equal('workflow');
    expect(config.eventGrid.schemaBaseUrl).to.equal('https://contracts.example.org/events/');
  });

  it('loads local.settings.json.example as a complete local configuration', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../../local.settings.json.example'), 'utf8')) as {
      IsEncrypted: boolean;
      Values: Record<string, string>;
    };
    expect(example.IsEncrypted).to.equal(false);
    expect(example.Values).to.include({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      FUNCTIONS_WORKER_RUNTIME: 'node',
      WORKFLOW_ENVIRONMENT: 'local',
    });
    expect(Object.keys(example.Values)).to.include.members(SETTINGS.map((s) => s.name));
    const config = loadConfig(example.Values);
    expect(config.environment).to.equal('local');
    expect(config.cosmos.key).to.equal(
      'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==',
    );
    expect(config.intake.connectionString).to.equal('UseDevelopmentStorage=true');
    expect(config.external.baseUrl).to.equal('http://127.0.0.1:7072');
  });

  describe('refuses bad configuration with one error naming every setting', () => {
    it('names each missing required setting', () => {
      const error = configError({ WORKFLOW_ENVIRONMENT: 'azure' });
      expect(error.settings).to.have.members([
        'TASKHUB_NAME',
        'COSMOS_ENDPOINT',
        'INTAKE_TABLE_ENDPOINT',
        'EVENTGRID_TOPIC_ENDPOINT',
        'EXTERNAL_SERVICE_URL',
        'DISCOVERY_SCHEDULE',
      ]);
      expect(error.message).to.match(/^\[Configuration\] invalid configuration, 6 setting\(s\) to fix: /);
      // The host resolves %DISCOVERY_SCHEDULE% in the timer binding with no default.
      expect(error.message).to.include('DISCOVERY_SCHEDULE is required (NCRONTAB schedule');
      expect(error.message).to.include('TASKHUB_NAME is required (Durable task hub name');
      expect(error.message).to.include('INTAKE_TABLE_ENDPOINT is required in azure mode');
    });

    it('names the settings local mode requires', () => {
      const { COSMOS_KEY: _c, EVENTGRID_TOPIC_KEY: _e, INTAKE_TABLE_CONNECTION: _i, ...withoutKeys } = LOCAL;
      const error = configError(withoutKeys);
      expect(error.settings).to.have.members(['COSMOS_KEY', 'EVENTGRID_TOPIC_KEY', 'INTAKE_TABLE_CONNECTION']);
      expect(error.message).to.include('COSMOS_KEY is required in local mode');
    });

    it('names garbled numbers, URLs, schedules and names', () => {
      const error = configError({
        ...AZURE,
        WORKFLOW_MAX_ATTEMPTS: 'three',
        WORKFLOW_POLL_INITIAL_DELAY_SECONDS: '0',
        EXTERNAL_SERVICE_TIMEOUT_MS: '1e4',
        WORKFLOW_POLL_BACKOFF_FACTOR: '0.5',
        COSMOS_ENDPOINT: 'not a url',
        EVENTGRID_TOPIC_ENDPOINT: 'ftp://topic',
        DISCOVERY_SCHEDULE: '*/5 * * * *',
        TASKHUB_NAME: 'my-hub',
      });
      expect(error.settings).to.have.members([
        'WORKFLOW_MAX_ATTEMPTS',
        'WORKFLOW_POLL_INITIAL_DELAY_SECONDS',
        'EXTERNAL_SERVICE_TIMEOUT_MS',
        'WORKFLOW_POLL_BACKOFF_FACTOR',
        'COSMOS_ENDPOINT',
        'EVENTGRID_TOPIC_ENDPOINT',
        'DISCOVERY_SCHEDULE',
        'TASKHUB_NAME',
      ]);
      expect(error.message).to.include("WORKFLOW_MAX_ATTEMPTS must be a positive integer, got 'three'");
      expect(error.message).to.include("WORKFLOW_POLL_INITIAL_DELAY_SECONDS must be a positive number, got '0'");
      expect(error.message).to.include('WORKFLOW_POLL_BACKOFF_FACTOR must be a number >= 1');
      expect(error.message).to.include("COSMOS_ENDPOINT must be an absolute http(s) URL, got 'not a url'");
      expect(error.message).to.include('DISCOVERY_SCHEDULE must be an NCRONTAB expression with 6 fields');
      expect(error.message).to.include('TASKHUB_NAME must be 3-45 letters or digits');
    });

    it('refuses keys in azure mode without echoing them', () => {
      const error = configError({
        ...AZURE,
        COSMOS_KEY: 'secret-1',
        EVENTGRID_TOPIC_KEY: 'secret-2',
        INTAKE_TABLE_CONNECTION: 'AccountKey=secret-3',
      });
      expect(error.settings).to.have.members(['COSMOS_KEY', 'EVENTGRID_TOPIC_KEY', 'INTAKE_TABLE_CONNECTION']);
      expect(error.message).to.include('COSMOS_KEY must not be set in azure mode');
      expect(error.message).to.not.match(/secret-\d/);
    });

    it('refuses an unknown environment', () => {
      const error = configError({ ...AZURE, WORKFLOW_ENVIRONMENT: 'staging' });
      expect(error.settings).to.deep.equal(['WORKFLOW_ENVIRONMENT']);
      expect(error.message).to.include("WORKFLOW_ENVIRONMENT must be 'local' or 'azure', got 'staging'");
    });
  });

  // ---- fixtures ------------------------------------------------------------------------
  const AZURE: Record<string, string> = {
    TASKHUB_NAME: 'WorkflowHub',
    COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
    INTAKE_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
    EVENTGRID_TOPIC_ENDPOINT: 'https://topic.westeurope-1.eventgrid.azure.net/api/events',
    EXTERNAL_SERVICE_URL: 'https://jobs.example.com',
    DISCOVERY_SCHEDULE: '0 */1 * * * *',
  };
  const LOCAL: Record<string, string> = {
    WORKFLOW_ENVIRONMENT: 'local',
    TASKHUB_NAME: 'WorkflowLocal',
    COSMOS_ENDPOINT: 'https://127.0.0.1:8081',
    COSMOS_KEY: 'k',
    INTAKE_TABLE_CONNECTION: 'UseDevelopmentStorage=true',
    EVENTGRID_TOPIC_ENDPOINT: 'http://127.0.0.1:7073/api/events',
    EVENTGRID_TOPIC_KEY: 'k',
    EXTERNAL_SERVICE_URL: 'http://127.0.0.1:7072',
    DISCOVERY_SCHEDULE: '*/10 * * * * *',
  };

  function configError(env: Record<string, string>): ConfigurationError {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigurationError);
      return e as ConfigurationError;
    }
    throw new Error('expected loadConfig to throw');
  }
});
