/**
 * The local stack with the function app in its own killable process: Azurite and the Cosmos emulator
 * run as child processes, the Event Grid topic and the mock in this process, and the devhost CLI as a
 * child. Killing the app host therefore loses no stored data, and everything the host published or
 * stored stays inspectable here. Reads go straight to the stores through the app's own adapters.
 * Runs the compiled devhost CLI (devhost/dist/devhost/cli.js): build first.
 */
import { TableClient } from '@azure/data-tables';
import { loadConfig } from '../../src/infrastructure/config/loadConfig';
import { buildServices, type Services } from '../../src/infrastructure/services';
import { localSettings, startLocalStack, type LocalStack, type LocalStackOptions } from './localStack';
import { startProcessHost, type ProcessHost } from '@saga/devhost';
import { appRoot } from '../appRoot';

/** Something that stands between the host and Cosmos (a fault proxy), reached at `url`. */
export interface CosmosRelay {
  url: string;
  stop(): Promise<void>;
}

export interface ProcessStackOptions {
  stack?: LocalStackOptions;
  /** App settings on top of localSettings(stack) (timings, retry windows). */
  settings?: Record<string, string>;
  /** Start the host with `--keys` (function keys required on mutating routes). */
  keys?: boolean;
  /** The host's --activity-lease-seconds: how soon an activity cut off by a kill runs again (default 60). */
  activityLeaseSeconds?: number;
  /** Puts a relay between the host and Cosmos; the stack's own readers still go direct. */
  cosmosRelay?: (cosmosEndpoint: string) => Promise<CosmosRelay>;
}

export interface ProcessStack {
  stack: LocalStack;
  host: ProcessHost;
  /** The app's adapters on the stores themselves (not through any relay), for checking results. */
  services: Services;
  /** The intake table. */
  table: TableClient;
  /** The settings the host process runs with. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export async function startProcessStack(opts: ProcessStackOptions = {}): Promise<ProcessStack> {
  const stack = await startLocalStack({ cosmosProcess: true, ...opts.stack });
  let relay: CosmosRelay | undefined;
  try {
    const settings = localSettings(stack, opts.settings);
    const readerSettings = { ...settings };
    if (opts.cosmosRelay) {
      relay = await opts.cosmosRelay(stack.cosmos.endpoint);
      settings.COSMOS_ENDPOINT = relay.url;
    }
    const host = await startProcessHost({
      appDir: appRoot(),
      storage: stack.azurite.connectionString,
      env: { ...settings, DEVHOST_QUIET: '1' },
      keys: opts.keys,
      activityLeaseSeconds: opts.activityLeaseSeconds,
    });
    const services = await buildServices(loadConfig(readerSettings));
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, settings.INTAKE_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    const stopRelay = relay;
    return {
      stack,
      host,
      services,
      table,
      settings,
      async stop() {
        await host.stop().catch(() => undefined);
        await stopRelay?.stop().catch(() => undefined);
        await stack.stop();
      },
    };
  } catch (e) {
    await relay?.stop().catch(() => undefined);
    await stack.stop();
    throw e;
  }
}
