import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TableTaskHubStore, type ActivityMessage } from '@saga/devhost/engine';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';
import { activityMessage, event, eventMessage, instance } from './contract';

const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('TableTaskHubStore persistence', () => {
  let folder: string;
  let azurite: AzuriteServers | undefined;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'taskhub-'));
  });
  after(async () => {
    await azurite?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads back instances, history and messages after Azurite restarts on the same folder', async () => {
    azurite = await startAzurite({ location: folder });
    const writer = await TableTaskHubStore.create({
      connectionString: azurite.connectionString,
      taskHubName: 'durable',
    });
    expect(
      await writer.putInstance(
        instance('a', { input: JSON.stringify('i'.repeat(100_000)) }),
        [activityMessage('a', 'act')],
        true,
      ),
    ).to.equal(true);
    expect(await writer.putInstance(instance('b'), [], true)).to.equal(true);
    const history = Array.from({ length: 300 }, (_, i) => event(i));
    const record = (await writer.getInstance('a'))!;
    expect(
      await writer.commitEpisode({
        instance: { ...record, customStatus: '"halfway"' },
        append: history,
        consumed: [],
        send: [eventMessage('a', 'timer', T0 + 60_000, 7)],
      }),
    ).to.equal(true);
    const until = Date.now() + 600_000;
    expect(await writer.leaseActivity(activityMessage('a', 'act'), 'host-1', until)).to.equal(true);
    await azurite.stop();
    azurite = undefined;

    azurite = await startAzurite({ location: folder });
    const reader = await TableTaskHubStore.create({
      connectionString: azurite.connectionString,
      taskHubName: 'durable',
    });
    expect((await reader.listInstances()).map((r) => r.instanceId).sort()).to.deep.equal(['a', 'b']);
    const restored = (await reader.getInstance('a'))!;
    expect([restored.customStatus, restored.input.length]).to.deep.equal(['"halfway"', 100_002]);
    expect(await reader.loadHistory('a', 'exec-1')).to.deep.equal(history);
    const due = await reader.dueMessages(T0);
    expect(due.map((m) => m.id)).to.deep.equal(['act']);
    expect((due[0] as ActivityMessage).leaseOwner).to.equal('host-1');
    expect(await reader.leaseActivity(activityMessage('a', 'act'), 'host-2', until)).to.equal(false);
    expect(await reader.nextDueAt(T0)).to.equal(T0 + 60_000);
    expect(
      await reader.commitEpisode({ instance: restored, append: [event(300)], consumed: ['act'], send: [] }),
    ).to.equal(true);
    expect(await reader.loadHistory('a', 'exec-1')).to.have.length(301);
  });
});
