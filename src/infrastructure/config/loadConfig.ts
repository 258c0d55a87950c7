/**
 * Reads every app setting (settings.ts) once, at startup, into a frozen, typed object. All
 * problems are collected and reported together, so one failed start shows everything to fix.
 * Empty values count as unset (Azure portals and local.settings.json often carry "").
 */
import type { RetrySettings } from '../../application/workflow/contracts';
import { ConfigurationError } from '../../application/errors';
import { policyProblems, type WorkflowPolicy } from '../../domain/policies';
import { SETTINGS } from './settings';

export type WorkflowEnvironment = 'local' | 'azure';

export interface AppConfig {
  readonly environment: WorkflowEnvironment;
  readonly taskHubName: string;
  readonly cosmos: { readonly endpoint: string; readonly key?: string; readonly database: string };
  /** azure mode: `endpoint` (identity); local mode: `connectionString` (endpoint optional). */
  readonly intake: { readonly endpoint?: string; readonly connectionString?: string; readonly tableName: string };
  /** `schemaBaseUrl` always ends with '/'. */
  readonly eventGrid: {
    readonly endpoint: string;
    readonly key?: string;
    readonly source: string;
    readonly schemaBaseUrl: string;
  };
  readonly external: { readonly baseUrl: string; readonly audience?: string; readonly timeoutMs: number };
  readonly policy: Readonly<WorkflowPolicy>;
  readonly discovery: { readonly schedule: string; readonly batchSize: number; readonly staleClaimSeconds: number };
  readonly idempotencyTtlSeconds: number;
  /** Activity retry timings handed to the orchestrator as input. */
  readonly retry: Readonly<RetrySettings>;
}

/** Settings that hold secrets: required locally (emulator keys), refused in azure (managed identity only). */
const KEY_SETTINGS = ['COSMOS_KEY', 'EVENTGRID_TOPIC_KEY', 'INTAKE_TABLE_CONNECTION'] as const;

const POLICY_SETTINGS: Readonly<Record<keyof WorkflowPolicy, string>> = {
  pollInitialDelaySeconds: 'WORKFLOW_POLL_INITIAL_DELAY_SECONDS',
  pollBackoffFactor: 'WORKFLOW_POLL_BACKOFF_FACTOR',
  pollMaxIntervalSeconds: 'WORKFLOW_POLL_MAX_INTERVAL_SECONDS',
  deadlineSeconds: 'WORKFLOW_DEADLINE_SECONDS',
  maxAttempts: 'WORKFLOW_MAX_ATTEMPTS',
  pollsPerExecution: 'WORKFLOW_POLLS_PER_EXECUTION',
};

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  const r = new SettingsReader(env);

  const environmentRaw = r.value('WORKFLOW_ENVIRONMENT') ?? 'azure';
  const environment = environmentRaw === 'local' || environmentRaw === 'azure' ? environmentRaw : undefined;
  if (!environment) r.problem('WORKFLOW_ENVIRONMENT', `must be 'local' or 'azure', got '${environmentRaw}'`);

  for (const spec of SETTINGS) {
    const needed = spec.required === 'always' || spec.required === environment;
    if (needed && r.value(spec.name) === undefined) {
      r.problem(
        spec.name,
        `is required${spec.required === 'always' ? '' : ` in ${spec.required} mode`} (${spec.description})`,
      );
    }
  }
  if (environment === 'azure') {
    for (const name of KEY_SETTINGS) {
      // Never echo the value: it is a secret.
      if (r.value(name) !== undefined)
        r.problem(
          name,
          'must not be set in azure mode: keys are refused, the app authenticates with its managed identity',
        );
    }
  }

  const policy: WorkflowPolicy = {
    pollInitialDelaySeconds: r.positiveNumber(POLICY_SETTINGS.pollInitialDelaySeconds),
    pollBackoffFactor: r.positiveNumber(POLICY_SETTINGS.pollBackoffFactor),
    pollMaxIntervalSeconds: r.positiveNumber(POLICY_SETTINGS.pollMaxIntervalSeconds),
    deadlineSeconds: r.positiveNumber(POLICY_SETTINGS.deadlineSeconds),
    maxAttempts: r.positiveInteger(POLICY_SETTINGS.maxAttempts),
    pollsPerExecution: r.positiveInteger(POLICY_SETTINGS.pollsPerExecution),
  };
  for (const { field, problem } of policyProblems(policy)) {
    const name = POLICY_SETTINGS[field];
    if (!r.hasProblem(name)) r.problem(name, problem);
  }

  const config: AppConfig = {
    environment: environment ?? 'azure',
    taskHubName: r.matching(
      'TASKHUB_NAME',
      /^[A-Za-z][A-Za-z0-9]{2,44}$/,
      'must be 3-45 letters or digits, starting with a letter (Durable task hub rule)',
    ),
    cosmos: {
      endpoint: r.url('COSMOS_ENDPOINT'),
      key: r.value('COSMOS_KEY'),
      database: r.matching(
        'COSMOS_DATABASE',
        /^[^/\\#?\s]{1,255}$/,
        "must be 1-255 characters without '/', '\\', '#', '?' or spaces",
      ),
    },
    intake: {
      endpoint: r.optionalUrl('INTAKE_TABLE_ENDPOINT'),
      connectionString: r.optionalMatching(
        'INTAKE_TABLE_CONNECTION',
        /=/,
        "must be a connection string ('Key=Value;…' or 'UseDevelopmentStorage=true')",
        { secret: true },
      ),
      tableName: r.matching(
        'INTAKE_TABLE_NAME',
        /^[A-Za-z][A-Za-z0-9]{2,62}$/,
        'must be 3-63 letters or digits, starting with a letter (Azure table name rule)',
      ),
    },
    eventGrid: {
      endpoint: r.url('EVENTGRID_TOPIC_ENDPOINT'),
      key: r.value('EVENTGRID_TOPIC_KEY'),
      source: r.matching('EVENT_SOURCE', /^\S+$/, 'must be a URI-reference without spaces (e.g. /workflow/requests)'),
      schemaBaseUrl: withTrailingSlash(r.url('EVENT_SCHEMA_BASE_URL')),
    },
    external: {
      baseUrl: r.url('EXTERNAL_SERVICE_URL'),
      audience: r.value('EXTERNAL_SERVICE_AUDIENCE'),
      timeoutMs: r.positiveInteger('EXTERNAL_SERVICE_TIMEOUT_MS'),
    },
    policy,
    discovery: {
      schedule: r.ncrontab('DISCOVERY_SCHEDULE'),
      batchSize: r.positiveInteger('DISCOVERY_BATCH_SIZE'),
      staleClaimSeconds: r.positiveNumber('DISCOVERY_STALE_CLAIM_SECONDS'),
    },
    idempotencyTtlSeconds: r.positiveInteger('IDEMPOTENCY_TTL_SECONDS'),
    retry: {
      stepFirstRetryMs: r.positiveInteger('WORKFLOW_STEP_RETRY_FIRST_MS'),
      stepMaxAttempts: r.positiveInteger('WORKFLOW_STEP_RETRY_MAX_ATTEMPTS'),
      publishFirstRetryMs: r.positiveInteger('WORKFLOW_PUBLISH_RETRY_FIRST_MS'),
      publishMaxAttempts: r.positiveInteger('WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS'),
      maxRetryIntervalMs: 600_000,
    },
  };

  r.throwIfProblems();
  return deepFreeze(withoutUndefined(config));
}

/** The policy the orchestrator receives as input (a copy: orchestration input is serialized anyway). */
export function workflowPolicyFrom(config: AppConfig): WorkflowPolicy {
  return { ...config.policy };
}

class SettingsReader {
  private readonly problems = new Map<string, string>();
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** The trimmed value, else the setting's default, else undefined. */
  value(name: string): string | undefined {
    const raw = this.env[name]?.trim();
    if (raw) return raw;
    return SETTINGS.find((s) => s.name === name)?.default;
  }

  problem(name: string, problem: string): void {
    // The first problem of a setting is the useful one (e.g. "is required" before "must be a URL").
    if (!this.problems.has(name)) this.problems.set(name, `${name} ${problem}`);
  }

  hasProblem(name: string): boolean {
    return this.problems.has(name);
  }

  matching(name: string, pattern: RegExp, rule: string): string {
    return this.optionalMatching(name, pattern, rule) ?? '';
  }

  optionalMatching(
    name: string,
    pattern: RegExp,
    rule: string,
    options: { secret?: boolean } = {},
  ): string | undefined {
    const v = this.value(name);
    if (v !== undefined && !pattern.test(v)) this.problem(name, options.secret ? rule : `${rule}, got '${v}'`);
    return v;
  }

  url(name: string): string {
    return this.optionalUrl(name) ?? '';
  }

  optionalUrl(name: string): string | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(v);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      this.problem(name, `must be an absolute http(s) URL, got '${v}'`);
    }
    return v;
  }

  positiveNumber(name: string): number {
    return this.number(name, /^\d+(\.\d+)?$/, 'a positive number');
  }

  positiveInteger(name: string): number {
    return this.number(name, /^\d+$/, 'a positive integer');
  }

  ncrontab(name: string): string {
    const v = this.value(name) ?? '';
    const fields = v.split(/\s+/);
    if (fields.length !== 6 || !fields.every((f) => /^[0-9A-Za-z*/,?-]+$/.test(f))) {
      this.problem(
        name,
        `must be an NCRONTAB expression with 6 fields, seconds first (e.g. '0 */5 * * * *'), got '${v}'`,
      );
    }
    return v;
  }

  throwIfProblems(): void {
    if (this.problems.size === 0) return;
    const names = [...this.problems.keys()];
    throw new ConfigurationError(
      `invalid configuration, ${names.length} setting(s) to fix: ${[...this.problems.values()].join('; ')}`,
      names,
    );
  }

  private number(name: string, pattern: RegExp, kind: string): number {
    const v = this.value(name);
    const n = v !== undefined && pattern.test(v) ? Number(v) : NaN;
    if (v !== undefined && !(n > 0 && Number.isFinite(n))) this.problem(name, `must be ${kind}, got '${v}'`);
    return n;
  }
}

function withTrailingSlash(url: string): string {
  return url === '' || url.endsWith('/') ? url : `${url}/`;
}

/** Optional settings that are unset are absent keys, not `undefined` values, so the object reads cleanly. */
function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
