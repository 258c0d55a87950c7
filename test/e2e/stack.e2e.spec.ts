import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { expect } from 'chai';
import { readAll } from '../../src/application/ports';
import { loadConfig } from '../../src/infrastructure/config/loadConfig';
import { buildServices } from '../../src/infrastructure/services';

/**
 * `npm run stack` (dist/localdev/stack.js) for users with Core Tools: it starts only the local servers,
 * writes a local.settings.json that the app's own configuration accepts and whose endpoints answer, prints
 * `func start` as the next step, and stops everything on SIGTERM.
 */
describe('npm run stack (end to end)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'stack-'));
  const settingsFile = join(dir, 'local.settings.json');
  let child: ChildProcessWithoutNullStreams;
  let output = '';

  before(async () => {
    // A value the user set before must survive the rewrite; a stale endpoint must not.
    writeFileSync(
      settingsFile,
      JSON.stringify({
        IsEncrypted: false,
        Values: { WORKFLOW_MAX_ATTEMPTS: '7', COSMOS_ENDPOINT: 'https://127.0.0.1:1/' },
      }),
    );
    child = spawn(
      process.execPath,
      [join(__dirname, '..', '..', 'dist', 'localdev', 'stack.js'), '--settings-file', settingsFile],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('func start')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`stack exited early (${code}):\n${output}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const values = (): Record<string, string> =>
    (JSON.parse(readFileSync(settingsFile, 'utf8')) as { Values: Record<string, string> }).Values;
  /** One written setting; one the stack should have written and did not fails the test by name. */
  const setting = (name: string): string => {
    const value = values()[name];
    if (value === undefined) throw new Error(`${settingsFile} has no ${name}`);
    return value;
  };

  it('prints the running servers and the next command', () => {
    expect(output).to.match(/Cosmos emulator:\s+https:\/\/127\.0\.0\.1:\d+/);
    expect(output).to.match(/Event Grid topic:\s+http:\/\/127\.0\.0\.1:\d+\/api\/events/);
    expect(output).to.contain(`Wrote ${settingsFile}`);
    expect(output).to.contain('npm run build && func start');
  });

  it('writes settings the app accepts, pointing at servers that answer', async () => {
    const v = values();
    expect(v.FUNCTIONS_WORKER_RUNTIME).to.equal('node');
    expect(v.WORKFLOW_MAX_ATTEMPTS, 'a value already in the file').to.equal('7');
    expect(v.COSMOS_ENDPOINT).to.not.equal('https://127.0.0.1:1/');
    expect(v.AzureWebJobsStorage).to.match(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/);
    // The app's own startup path: configuration, Cosmos database and containers, the intake table.
    const services = await buildServices(loadConfig(v));
    expect(await readAll(services.eventStore, 'never-written')).to.deep.equal([]);
    expect((await fetch(new URL('/health', setting('EXTERNAL_SERVICE_URL')))).status).to.equal(200);
  });

  it('serves a topic that checks event data against the schemas', async () => {
    const client = new EventGridPublisherClient(
      setting('EVENTGRID_TOPIC_ENDPOINT'),
      'CloudEvent',
      new AzureKeyCredential(setting('EVENTGRID_TOPIC_KEY')),
      { allowInsecureConnection: true },
    );
    const refused = await client
      .send([{ id: 'e1', source: '/t', type: 'workflow.request.completed.v1', data: { not: 'the schema' } }])
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(refused?.message).to.match(/field 'data' is invalid/);
  });

  it('stops every server on SIGTERM', async () => {
    const azuriteTables = /TableEndpoint=([^;]+)/.exec(setting('AzureWebJobsStorage'))?.[1] ?? 'no TableEndpoint';
    const servers = [setting('EVENTGRID_TOPIC_ENDPOINT'), setting('EXTERNAL_SERVICE_URL'), azuriteTables];
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(0);
    for (const url of servers) {
      const refused = await fetch(url).then(
        () => false,
        () => true,
      );
      expect(refused, `${url} is stopped`).to.equal(true);
    }
  });
});
