import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestHost, NonDeterminismError, type TestHost } from '@saga/devhost/testkit';

use(chaiAsPromised);
const APP = path.join(__dirname, '../apps/engine-sample/index.ts');
const setVariant = (v: 'A' | 'B'): void => (require(APP) as { setVariant(v: 'A' | 'B'): void }).setVariant(v);

describe('test kit', () => {
  let host: TestHost;
  let dir: string;
  before(async () => {
    host = await createTestHost({ app: APP, activities: { Echo: (x) => `echo:${String(x)}` } });
    dir = mkdtempSync(path.join(tmpdir(), 'testkit-'));
  });
  after(async () => {
    setVariant('A');
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('can share one loaded app between several hosts in a process', async () => {
    const other = await createTestHost({ app: APP });
    try {
      expect((await other.run('Chain')).status).to.equal('Completed');
    } finally {
      await other.close();
    }
  });

  it('replaces activities with functions and records every call with its virtual time', async () => {
    const r = await host.run('Versioned', undefined, { events: [{ at: 3_600_000, name: 'Go', data: 'ok' }] });
    expect(r.output).to.deep.equal({ first: 'Hello v', go: 'ok' });
    setVariant('B');
    const b = await host.run('Versioned', undefined, { events: [{ at: 1000, name: 'Go', data: 'ok' }] });
    setVariant('A');
    expect(b.output).to.deep.equal({ first: 'echo:v', go: 'ok' });
    expect(b.activityCalls.map((c) => c.name)).to.deep.equal(['Echo']);
  });

  it("replays a recorded history against unchanged code, with Azure's verdict on it", async () => {
    const r = await host.run('Versioned', undefined, {
      instanceId: 'rec-1',
      events: [{ at: 10, name: 'Go', data: 7 }],
    });
    const file = path.join(dir, 'rec-1.json');
    await host.recordHistory(r.instanceId, file);
    const replay = await host.replayHistory(file, 'Versioned');
    expect(replay).to.deep.equal({ isDone: true, output: { first: 'Hello v', go: 7 }, azure: { status: 'Completed' } });
  });

  it('throws NonDeterminismError when the code changed since the history was recorded', async () => {
    const r = await host.run('Versioned', undefined, {
      instanceId: 'rec-2',
      events: [{ at: 10, name: 'Go', data: 7 }],
    });
    const file = path.join(dir, 'rec-2.json');
    await host.recordHistory(r.instanceId, file);
    setVariant('B');
    try {
      await expect(host.replayHistory(file, 'Versioned')).to.be.rejectedWith(NonDeterminismError, /'Hello'.*'Echo'/);
    } finally {
      setVariant('A');
    }
  });

  it('replays histories that used retries (hidden ids are recorded)', async () => {
    const r = await host.run('RetryThenSucceed', undefined, { instanceId: 'rec-3' });
    const file = path.join(dir, 'rec-3.json');
    await host.recordHistory(r.instanceId, file);
    const replay = await host.replayHistory(file, 'RetryThenSucceed');
    expect(replay.isDone).to.equal(true);
    expect(replay.output).to.deep.equal(r.output);
  });
});
