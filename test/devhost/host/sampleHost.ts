/** Starts the host-sample app on free ports with a FakeTaskHub (or the real engine, see below) and a captured log. */
import path from 'node:path';
import { startDevHost, type DevHost, type DevHostOptions, type LogLevel } from '@saga/devhost';
import { createDurableEngine, createMemoryStore, realClock, type DurableEngine } from '@saga/devhost/engine';
import { FakeTaskHub } from './fakeTaskHub';

export const SAMPLE_APP = path.join(__dirname, '..', 'apps', 'host-sample');

export interface SampleHost {
  host: DevHost;
  hub: FakeTaskHub;
  logs: { level: LogLevel; message: string }[];
}

export async function startSampleHost(options: Partial<DevHostOptions> = {}): Promise<SampleHost> {
  const logs: SampleHost['logs'] = [];
  let hub: FakeTaskHub | undefined;
  const host = await startDevHost({
    appDir: SAMPLE_APP,
    port: 0,
    rpcPort: 0,
    log: (level, message) => logs.push({ level, message }),
    taskHub: (app) => {
      hub = new FakeTaskHub(
        app.config.taskHubName,
        app.functions.filter((f) => f.triggerType === 'orchestrationTrigger').map((f) => f.name),
      );
      return hub;
    },
    ...options,
  });
  return { host, hub: hub as FakeTaskHub, logs };
}

/** Starts the host-sample app on a free port with the real durable engine on a memory store and the real clock. */
export async function startSampleEngineHost(
  log: DevHostOptions['log'] = () => undefined,
): Promise<{ host: DevHost; engine: DurableEngine }> {
  let engine: DurableEngine | undefined;
  const host = await startDevHost({
    appDir: SAMPLE_APP,
    port: 0,
    log,
    taskHub: (loaded) =>
      (engine = createDurableEngine({
        registrations: loaded.registrations,
        store: createMemoryStore(),
        clock: realClock(),
        taskHubName: loaded.config.taskHubName,
        log: () => undefined,
      })),
  });
  return { host, engine: engine as DurableEngine };
}

/** Polls until `check` returns a value (no timing assertion: the mocha timeout bounds it). */
export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
