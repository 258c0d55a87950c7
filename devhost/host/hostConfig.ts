/**
 * The two files `func start` reads before loading an app: local.settings.json (its `Values` become
 * environment variables, never overriding ones already set) and host.json (route prefix, task hub
 * name with %SETTING% substitution, function timeout, durable concurrency).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface HostConfig {
  /** Without slashes; '' when host.json sets it to empty. */
  routePrefix: string;
  taskHubName: string;
  /** Milliseconds, or undefined for no limit. */
  functionTimeoutMs?: number;
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
  /**
   * How long a started activity stays taken before another host may run it again (after a crash).
   * host.json `extensions.durableTask.storageProvider.workItemQueueVisibilityTimeout`, the Azure
   * Storage provider's setting for the same recovery delay; undefined means the engine's default.
   */
  activityLeaseMs?: number;
  /** host.json `extensions.durableTask.storageProvider.type` when set (AzureStorage, mssql, netherite, …). */
  storageProviderType?: string;
}

/** Copies local.settings.json `Values` into `env` (missing file → nothing). Returns the names applied. */
export function applyLocalSettings(appDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = path.join(appDir, 'local.settings.json');
  if (!fs.existsSync(file)) return [];
  const parsed = readJson(file) as { Values?: Record<string, unknown> };
  const values = parsed.Values ?? {};
  if (typeof values !== 'object' || Array.isArray(values))
    throw new Error(`${file}: "Values" must be an object of strings.`);
  const applied: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined) continue;
    env[name] = value === null || value === undefined ? '' : String(value);
    applied.push(name);
  }
  return applied;
}

export function readHostConfig(appDir: string, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const file = path.join(appDir, 'host.json');
  const json = (fs.existsSync(file) ? readJson(file) : {}) as {
    functionTimeout?: unknown;
    extensions?: {
      http?: { routePrefix?: unknown };
      durableTask?: {
        hubName?: unknown;
        maxConcurrentActivityFunctions?: unknown;
        maxConcurrentOrchestratorFunctions?: unknown;
        storageProvider?: { type?: unknown; workItemQueueVisibilityTimeout?: unknown };
      };
    };
  };
  const http = json.extensions?.http ?? {};
  const durable = json.extensions?.durableTask ?? {};
  const routePrefix = http.routePrefix === undefined ? 'api' : String(http.routePrefix).replace(/^\/+|\/+$/g, '');
  const rawHub = durable.hubName === undefined ? 'TestHubName' : String(durable.hubName);
  const taskHubName = substituteSettings(rawHub, env, `${file}: extensions.durableTask.hubName`);
  // Same rule as the Azure Storage provider: 3-45 letters/digits, starting with a letter.
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(taskHubName)) {
    throw new Error(
      `${file}: extensions.durableTask.hubName resolves to "${taskHubName}"; a task hub name must be 3-45 letters or digits and start with a letter.`,
    );
  }
  return {
    routePrefix,
    taskHubName,
    functionTimeoutMs:
      json.functionTimeout === undefined
        ? undefined
        : parseTimeSpan(String(json.functionTimeout), `${file}: functionTimeout`),
    maxConcurrentActivityFunctions: optionalInt(
      durable.maxConcurrentActivityFunctions,
      `${file}: extensions.durableTask.maxConcurrentActivityFunctions`,
    ),
    maxConcurrentOrchestratorFunctions: optionalInt(
      durable.maxConcurrentOrchestratorFunctions,
      `${file}: extensions.durableTask.maxConcurrentOrchestratorFunctions`,
    ),
    activityLeaseMs: visibilityTimeout(
      durable.storageProvider?.workItemQueueVisibilityTimeout,
      `${file}: extensions.durableTask.storageProvider.workItemQueueVisibilityTimeout`,
    ),
    ...(durable.storageProvider?.type === undefined
      ? {}
      : { storageProviderType: String(durable.storageProvider.type) }),
  };
}

function visibilityTimeout(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseTimeSpan(String(value), where);
  if (ms === undefined || ms < 1000)
    throw new Error(
      `${where} is ${JSON.stringify(value)}; expected a time span of at least one second, like "00:05:00".`,
    );
  return ms;
}

/** Replaces `%NAME%` with the app setting NAME, failing clearly when it is not set. */
export function substituteSettings(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(
        `${where} refers to the app setting %${name}%, which is not set (add it to local.settings.json Values or the environment).`,
      );
    return value;
  });
}

/** .NET TimeSpan text `[d.]hh:mm:ss[.fff]`; "-1" means unlimited. */
export function parseTimeSpan(text: string, where: string): number | undefined {
  if (text.trim() === '-1') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`${where} is "${text}"; expected a time span like "00:05:00" or "-1".`);
  const [, d, h, min, s, frac] = m;
  return (
    ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 +
    Number(s) * 1000 +
    (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0)
  );
}

function optionalInt(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${where} is ${JSON.stringify(value)}; expected a positive integer.`);
  return n;
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
