import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

/**
 * The README's promise: `npm start -- --exit-when-done` runs the whole system (Azurite, Cosmos emulator,
 * local Event Grid topic, mock service, the function app in the devhost), seeds every scenario through the
 * HTTP API and the intake table, and exits 0 only when its self-check passes.
 */
function runStart(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'localdev', 'start.js'), ...args], {
      env: { ...process.env, DEVHOST_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm start -- --exit-when-done (end to end)', function () {
  this.timeout(240_000);

  it('runs every scenario to its terminal status and passes the self-check', async () => {
    const { code, output } = await runStart([
      '--exit-when-done',
      '--items',
      '10',
      '--port',
      '0',
      '--timeout-seconds',
      '180',
    ]);
    expect(output, output.slice(-3000)).to.contain('OK: every stream holds exactly its expected events');
    expect(output).to.match(/Self-check: 11 streams, \d+ events/);
    const events = Number(/Self-check: 11 streams, (\d+) events/.exec(output)?.[1]);
    expect(output).to.contain(`OK: the subscriber applied every stored event exactly once (${events} events`);
    expect(output).to.match(
      new RegExp(
        `workflow-subscriber: ${events} events matched, ${events} delivered, \\d+ attempts .*, 0 dead-lettered, 0 dropped, 0 pending`,
      ),
    );
    expect(code).to.equal(0);
  });

  it('stops before starting anything when the subscriptions file has an unknown filter, naming the field', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'subs-')), 'subscriptions.json');
    writeFileSync(
      file,
      JSON.stringify({
        subscriptions: [
          {
            name: 'bad',
            eventDeliverySchema: 'CloudEventSchemaV1_0',
            destination: { endpointType: 'WebHook', endpointUrl: 'http://127.0.0.1:1/' },
            filter: { subjectContains: 'x' },
          },
        ],
      }),
    );
    const { code, output } = await runStart(['--exit-when-done', '--port', '0', '--subscriptions', file]);
    expect(output).to.contain(`npm start failed: ${file}: subscriptions[0].filter.subjectContains: unknown field`);
    expect(output).not.to.contain('Starting the local stack');
    expect(code).to.equal(1);
  });
});
