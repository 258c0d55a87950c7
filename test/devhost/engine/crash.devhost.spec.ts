import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type AzuriteServers } from '@saga/devhost/localstack';
import { createAzureStorageStore as createAzuriteStore, type TaskHubStore } from '@saga/devhost/engine';

const WORKER = path.join(__dirname, 'crashWorker.ts');
const INSTANCES = 20;
const STEPS = 6;

function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=devhost-source', '--require', 'tsx/cjs', WORKER], {
    env: { ...process.env, ...env, DEVHOST_QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d.toString()}`));
  return child;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function effects(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('durable engine on Azurite: a killed host resumes every instance', function () {
  this.timeout(120_000);
  let azurite: AzuriteServers;
  let dir: string;
  let store: TaskHubStore;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-crash-'));
    azurite = await startAzurite({ location: path.join(dir, 'azurite') });
    store = await createAzuriteStore({ connectionString: azurite.connectionString, taskHubName: 'CrashHub' });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes all 20 instances with correct output after SIGKILL mid-flight, every activity having run at least once', async () => {
    const file = path.join(dir, 'effects.log');
    const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, SIDE_EFFECT_FILE: file };
    const first = startWorker({ ...env, START_INSTANCES: String(INSTANCES) });
    children.push(first);
    let ready = false;
    first.stdout?.on('data', (d: Buffer) => {
      ready ||= d.toString().includes('ready');
    });
    // Killed once every instance exists and some work is done, so the kill lands mid-flight.
    await until(
      'the first host to start all instances and get going',
      () => ready && effects(file).length >= 25,
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const done = (await store.listInstances()).filter((r) => r.runtimeStatus === 'Completed');
    expect(done.length, 'instances finished before the kill').to.be.lessThan(INSTANCES);

    const second = startWorker(env);
    children.push(second);
    await until(
      'every instance to complete',
      async () => {
        const all = await store.listInstances();
        return all.length === INSTANCES && all.every((r) => r.runtimeStatus === 'Completed');
      },
      90_000,
    );
    second.kill('SIGKILL');

    for (const r of await store.listInstances()) expect(JSON.parse(r.output ?? 'null'), r.instanceId).to.equal(210);
    const lines = new Set(effects(file));
    for (let i = 0; i < INSTANCES; i++) {
      for (let step = 1; step <= STEPS; step++)
        expect(lines.has(`SlowStep ${JSON.stringify({ id: `crash-${i}`, step })}`), `crash-${i} step ${step}`).to.equal(
          true,
        );
    }
  });
});
