/**
 * `devhost`: runs an Azure Functions Node v4 app locally, like `func start`, without Core Tools.
 *
 *   devhost [--app DIR] [--port N] [--rpc-port N] [--storage memory|azurite|<connection string>] [--clean] [--keys] [--activity-lease-seconds N]
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ACTIVITY_LEASE_MS } from './durable';
import { startAzurite } from './localstack/azurite';
import type { AzuriteServers } from './localstack/index';
import { consoleLog } from './host/log';
import { startDevHost, type DevHost } from './host/server';
import { engineTaskHub, type StorageChoice } from './host/taskHubFactory';

export interface CliOptions {
  appDir: string;
  port: number;
  rpcPort: number;
  storage: string;
  clean: boolean;
  keys: boolean;
  activityLeaseSeconds?: number;
}

const USAGE = `Usage: devhost [--app DIR] [--port N] [--rpc-port N] [--storage memory|azurite|<connection string>] [--clean] [--keys] [--activity-lease-seconds N]

  --app DIR        the function app folder (package.json "main", host.json, local.settings.json); default: current folder
  --port N         app port; default 7071 (0 = any free port)
  --rpc-port N     port of the DurableClient RPC endpoints; default: any free port
  --storage S      task hub storage: "azurite" (default; starts Azurite with its data in DIR/.devhost/azurite,
                   so instances survive restarts), "memory", or an Azure Storage connection string
  --clean          wipe DIR/.devhost/azurite before starting
  --keys           require function keys for authLevel function/admin and the durable webhooks (func start does not)
  --activity-lease-seconds N
                   how long a started activity stays taken before it runs again after a host crash (default 60,
                   or host.json extensions.durableTask.storageProvider.workItemQueueVisibilityTimeout)`;

export function parseArgs(argv: string[], cwd = process.cwd()): CliOptions {
  const options: CliOptions = { appDir: cwd, port: 7071, rpcPort: 0, storage: 'azurite', clean: false, keys: false };
  for (let i = 0, arg = argv[0]; arg !== undefined; arg = argv[++i]) {
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value.\n\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--app':
        options.appDir = path.resolve(cwd, value());
        break;
      case '--port':
        options.port = port(value(), '--port');
        break;
      case '--rpc-port':
        options.rpcPort = port(value(), '--rpc-port');
        break;
      case '--storage':
        options.storage = value();
        break;
      case '--clean':
        options.clean = true;
        break;
      case '--keys':
        options.keys = true;
        break;
      case '--activity-lease-seconds':
        options.activityLeaseSeconds = positiveSeconds(value(), flag);
        break;
      case '--help':
      case '-h':
        throw new UsageRequested();
      default:
        throw new Error(`Unknown argument "${arg}".\n\n${USAGE}`);
    }
  }
  if (!fs.existsSync(path.join(options.appDir, 'package.json')))
    throw new Error(`--app: ${options.appDir} has no package.json; point --app at the function app folder.`);
  return options;
}

class UsageRequested extends Error {}

function positiveSeconds(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1) throw new Error(`${flag} must be a number of seconds, at least 1, got "${text}".`);
  return n;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${flag} must be a port number 0-65535, got "${text}".`);
  return n;
}

export async function runCli(argv: string[]): Promise<{ host: DevHost; stop(): Promise<void> }> {
  const options = parseArgs(argv);
  let azurite: AzuriteServers | undefined;
  let storage: StorageChoice;
  const azuriteDir = path.join(options.appDir, '.devhost', 'azurite');
  if (options.storage === 'memory') {
    storage = { kind: 'memory' };
  } else if (options.storage === 'azurite') {
    if (options.clean) fs.rmSync(azuriteDir, { recursive: true, force: true });
    azurite = await startAzurite({ location: azuriteDir });
    storage = { kind: 'connectionString', connectionString: azurite.connectionString };
  } else if (/AccountName=|UseDevelopmentStorage=true/i.test(options.storage)) {
    storage = { kind: 'connectionString', connectionString: options.storage };
  } else {
    throw new Error(
      `--storage must be "memory", "azurite" or an Azure Storage connection string, got "${options.storage}".`,
    );
  }
  if (options.clean && options.storage !== 'azurite')
    consoleLog('warning', '--clean only applies to --storage azurite; nothing was wiped.');

  let host: DevHost;
  try {
    host = await startDevHost({
      appDir: options.appDir,
      port: options.port,
      rpcPort: options.rpcPort,
      taskHub: engineTaskHub(storage, undefined, {
        activityLeaseMs: options.activityLeaseSeconds === undefined ? undefined : options.activityLeaseSeconds * 1000,
      }),
      requireKeys: options.keys,
    });
  } catch (e) {
    await azurite?.stop();
    throw e;
  }
  const lines = [
    '',
    host.listing,
    `Durable HTTP API:  ${host.durableApiUrl}  (task hub ${host.taskHub.taskHubName})`,
    `DurableClient RPC: ${host.rpcBaseUrl}`,
    `Storage:           ${azurite ? `Azurite, data in ${azuriteDir} (pid ${azurite.pid})` : storage.kind === 'memory' ? 'in memory (lost on exit)' : 'the given connection string'}`,
  ];
  // Only a changed lease is news: it decides how soon a crashed host's activities run again.
  const leaseMs = host.taskHub.activityLeaseMs;
  if (leaseMs !== undefined && leaseMs !== DEFAULT_ACTIVITY_LEASE_MS)
    lines.push(`Activity lease:    ${leaseMs / 1000} s (a started activity runs again this long after a host crash)`);
  if (host.masterKey) lines.push(`Function key:      ${host.masterKey}  (send as ?code= or x-functions-key)`);
  lines.push('', 'Host started. Press Ctrl+C to stop.');
  console.log(lines.join('\n'));

  let stopping: Promise<void> | undefined;
  return {
    host,
    stop: () =>
      (stopping ??= (async () => {
        await host.stop();
        await azurite?.stop();
      })()),
  };
}

/** Entry point for bin/devhost.js: runs until SIGINT/SIGTERM, then shuts down cleanly. */
export async function main(): Promise<void> {
  let running: Awaited<ReturnType<typeof runCli>>;
  try {
    running = await runCli(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageRequested) {
      console.log(USAGE);
      return;
    }
    console.error(`devhost: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }
  let signals = 0;
  const shutdown = (signal: string): void => {
    if (++signals > 1) process.exit(130);
    console.log(`\n${signal} received: stopping the host…`);
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`devhost: shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) void main();
