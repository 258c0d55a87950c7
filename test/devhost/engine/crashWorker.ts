/**
 * A devhost engine process for the crash test: Azurite store, real clock, the engine-sample app.
 * With START_INSTANCES=n it also starts n CrashWorkflow instances. Runs until killed.
 */
import path from 'node:path';
import { installCoreStandIn } from '@saga/devhost/internals';
import { createDurableEngine, realClock, createAzureStorageStore as createAzuriteStore } from '@saga/devhost/engine';

async function main(): Promise<void> {
  const core = installCoreStandIn();
  require(path.join(__dirname, '../apps/engine-sample/index.ts'));
  const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
  if (!connectionString) throw new Error('AZURE_STORAGE_CONNECTION_STRING is required');
  const store = await createAzuriteStore({ connectionString, taskHubName: 'CrashHub' });
  const engine = createDurableEngine({
    registrations: core.registrations,
    store,
    clock: realClock(),
    taskHubName: 'CrashHub',
    maxConcurrentActivities: 8,
    activityLeaseMs: 1500,
    pollIntervalMs: 50,
    workTimeoutMs: 3000,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  await engine.start();
  const n = Number(process.env.START_INSTANCES ?? 0);
  for (let i = 0; i < n; i++) await engine.startNew('CrashWorkflow', { instanceId: `crash-${i}` });
  // The engine's poll timer is unref'd (it never holds a process open by itself); this host lives until killed.
  setInterval(() => undefined, 60_000);
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
