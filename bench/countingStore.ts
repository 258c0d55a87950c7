/**
 * The devhost's durable engine over Azurite, with its task-hub store wrapped in a Proxy that counts
 * each store operation, so the bench can report store ops per workflow next to the HTTP requests.
 */
import {
  createAzureStorageStore,
  createDurableEngine,
  realClock,
  type DurableEngine,
  type TaskHubStore,
} from '@saga/devhost/engine';
import type { TaskHubFactory } from '@saga/devhost';

export interface CountingTaskHub {
  factory: TaskHubFactory;
  /** The engine once the host has built it. */
  engine(): DurableEngine;
  /** Store calls by operation name since the last take(). */
  take(): Record<string, number>;
}

/**
 * `reuseReads: false` makes the store read the record before every use, `wake: false` makes the
 * scheduler scan the task hub on every look: the "before" sides of the task-hub request counts.
 */
export function countingTaskHub(
  connectionString: string,
  storeOptions: { reuseReads?: boolean; wake?: boolean } = {},
): CountingTaskHub {
  let counts: Record<string, number> = {};
  let built: DurableEngine | undefined;
  const factory: TaskHubFactory = async (app) => {
    const store = await createAzureStorageStore({
      connectionString,
      taskHubName: app.config.taskHubName,
      ...storeOptions,
    });
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return (...args: unknown[]): unknown => {
          counts[prop] = (counts[prop] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as TaskHubStore;
    built = createDurableEngine({
      registrations: app.registrations,
      store: counted,
      clock: realClock(),
      taskHubName: app.config.taskHubName,
      maxConcurrentActivities: app.config.maxConcurrentActivityFunctions,
      log: () => undefined,
    });
    return built;
  };
  return {
    factory,
    engine: () => {
      if (!built) throw new Error('the task hub has not been built yet (start the devhost first)');
      return built;
    },
    take: () => {
      const c = counts;
      counts = {};
      return c;
    },
  };
}
