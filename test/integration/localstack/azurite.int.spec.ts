import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TableClient } from '@azure/data-tables';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function table(servers: AzuriteServers, name: string): TableClient {
  return TableClient.fromConnectionString(servers.connectionString, name, { allowInsecureConnection: true });
}

describe('startAzurite', () => {
  const started: AzuriteServers[] = [];
  after(async () => {
    for (const s of started) await s.stop();
  });

  it('runs blob, queue and table in a child process on loopback, reachable through its connection string', async () => {
    const servers = await startAzurite();
    started.push(servers);

    expect(servers.pid).to.not.equal(process.pid);
    expect(isAlive(servers.pid)).to.equal(true);
    for (const url of [servers.blobUrl, servers.queueUrl, servers.tableUrl])
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(servers.connectionString).to.contain(
      'AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;',
    );
    expect(servers.connectionString).to.contain(`TableEndpoint=${servers.tableUrl}`);

    const client = table(servers, 'smoke');
    await client.createTable();
    await client.createEntity({ partitionKey: 'p', rowKey: 'r', Value: 'hello' });
    expect((await client.getEntity<{ Value: string }>('p', 'r')).Value).to.equal('hello');
    for (const url of [servers.blobUrl, servers.queueUrl]) {
      const res = await fetch(`${url}?comp=list`);
      // Unsigned requests are refused, which proves a storage service answers there.
      expect(res.status).to.equal(403);
    }
  });

  it('stops the child process', async () => {
    const servers = await startAzurite();
    await servers.stop();
    expect(isAlive(servers.pid)).to.equal(false);
  });

  // Azurite saves its table database every 5 s and on SIGTERM; stop() sends SIGTERM. (Azurite itself is
  // never the process killed in a crash drill: it outlives the host because it is a separate process.)
  it('keeps table data across a stop and restart when given a location', async () => {
    const location = mkdtempSync(join(tmpdir(), 'azurite-'));
    try {
      const first = await startAzurite({ location });
      await table(first, 'kept').createTable();
      await table(first, 'kept').createEntity({ partitionKey: 'p', rowKey: 'r', Value: 'survives' });
      await first.stop();

      const second = await startAzurite({ location });
      started.push(second);
      expect((await table(second, 'kept').getEntity<{ Value: string }>('p', 'r')).Value).to.equal('survives');
    } finally {
      for (const s of started.splice(0)) await s.stop();
      rmSync(location, { recursive: true, force: true });
    }
  });

  it('outlives its parent host when the host is killed with SIGKILL', async () => {
    const host = spawn(
      process.execPath,
      ['--conditions=devhost-source', '--require', 'tsx/cjs', join(__dirname, 'fixtures', 'azuriteParent.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(host.stdout.setEncoding('utf8'), 'data')) as [string];
    const { pid, connectionString } = JSON.parse(line) as { pid: number; connectionString: string };
    try {
      host.kill('SIGKILL');
      await once(host, 'exit');

      const client = TableClient.fromConnectionString(connectionString, 'orphan', { allowInsecureConnection: true });
      await client.createTable();
      await client.createEntity({ partitionKey: 'p', rowKey: 'r', Value: 'still here' });
      expect((await client.getEntity<{ Value: string }>('p', 'r')).Value).to.equal('still here');
    } finally {
      process.kill(pid, 'SIGTERM');
      await waitForExit(pid);
    }
    expect(isAlive(pid)).to.equal(false);
  });
});
