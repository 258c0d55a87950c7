/**
 * Picks the task hub behind the host: the durable engine (devhost/durable) over an in-memory store
 * or over Azure Storage (Azurite or a connection string). Loaded lazily so the host side works, and
 * fails clearly, without the engine.
 */
import type { LoadedApp } from './loadApp';
import { consoleLog, type HostLog } from './log';
import type { HostedTaskHub, TaskHubFactory } from './server';

export type StorageChoice = { kind: 'memory' } | { kind: 'connectionString'; connectionString: string };

interface DurableModule {
  createDurableEngine(options: {
    registrations: LoadedApp['registrations'];
    store: unknown;
    clock: unknown;
    taskHubName: string;
    maxConcurrentActivities?: number;
    activityLeaseMs?: number;
    log?: (msg: string) => void;
  }): HostedTaskHub;
  createMemoryStore(): unknown;
  createAzureStorageStore?(options: { connectionString: string; taskHubName: string }): unknown;
  realClock(): unknown;
}

export interface EngineOverrides {
  /** Wins over host.json's workItemQueueVisibilityTimeout (the CLI's --activity-lease-seconds). */
  activityLeaseMs?: number;
}

export function engineTaskHub(
  storage: StorageChoice,
  log: HostLog = consoleLog,
  overrides: EngineOverrides = {},
): TaskHubFactory {
  return async (app) => {
    const durable = loadDurable();
    const taskHubName = app.config.taskHubName;
    let store: unknown;
    if (storage.kind === 'memory') {
      store = durable.createMemoryStore();
    } else {
      if (typeof durable.createAzureStorageStore !== 'function') {
        throw new Error('This build of the durable engine has no Azure Storage store; run with --storage memory.');
      }
      store = await durable.createAzureStorageStore({ connectionString: storage.connectionString, taskHubName });
    }
    return durable.createDurableEngine({
      registrations: app.registrations,
      store,
      clock: durable.realClock(),
      taskHubName,
      maxConcurrentActivities: app.config.maxConcurrentActivityFunctions,
      activityLeaseMs: overrides.activityLeaseMs ?? app.config.activityLeaseMs,
      log: (msg) => log('warning', msg),
    });
  };
}

function loadDurable(): DurableModule {
  let mod: Partial<DurableModule>;
  try {
    // Optional at build time; see the file comment.
    mod = require('../durable') as Partial<DurableModule>;
  } catch (e) {
    throw new Error(`The durable engine (devhost/durable) could not be loaded: ${(e as Error).message}`, { cause: e });
  }
  for (const name of ['createDurableEngine', 'createMemoryStore', 'realClock'] as const) {
    if (typeof mod[name] !== 'function')
      throw new Error(`The durable engine (devhost/durable) does not export ${name}().`);
  }
  return mod as DurableModule;
}
