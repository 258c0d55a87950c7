import * as chai from 'chai';
import path from 'node:path';
import { parseArgs } from '@saga/devhost';
import { SAMPLE_APP } from './sampleHost';

const { expect } = chai;

describe('devhost CLI arguments', () => {
  it('defaults to the current folder, port 7071, a free RPC port and Azurite storage', () => {
    expect(parseArgs([], SAMPLE_APP)).to.deep.equal({
      appDir: SAMPLE_APP,
      port: 7071,
      rpcPort: 0,
      storage: 'azurite',
      clean: false,
      keys: false,
    });
  });

  it('reads every flag, with separate or inline values', () => {
    const apps = path.dirname(SAMPLE_APP);
    expect(
      parseArgs(
        [
          '--app',
          'host-sample',
          '--port=0',
          '--rpc-port',
          '17071',
          '--storage',
          'memory',
          '--clean',
          '--keys',
          '--activity-lease-seconds',
          '5',
        ],
        apps,
      ),
    ).to.deep.equal({
      appDir: SAMPLE_APP,
      port: 0,
      rpcPort: 17071,
      storage: 'memory',
      clean: true,
      keys: true,
      activityLeaseSeconds: 5,
    });
  });

  it('names the bad argument', () => {
    expect(() => parseArgs(['--port', 'http'], SAMPLE_APP)).to.throw(
      /--port must be a port number 0-65535, got "http"/,
    );
    expect(() => parseArgs(['--colour'], SAMPLE_APP)).to.throw(/Unknown argument "--colour"/);
    expect(() => parseArgs(['--storage'], SAMPLE_APP)).to.throw(/--storage needs a value/);
    expect(() => parseArgs(['--activity-lease-seconds', '0'], SAMPLE_APP)).to.throw(
      /--activity-lease-seconds must be a number of seconds, at least 1, got "0"/,
    );
    expect(() => parseArgs(['--app', '/nonexistent-app'], SAMPLE_APP)).to.throw(
      /--app: \/nonexistent-app has no package.json/,
    );
  });
});

describe('devhost CLI process', () => {
  it('starts the app with --storage memory, serves it, and exits cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const cli = path.join(__dirname, '..', '..', '..', 'devhost', 'cli.ts');
    const child = spawn(
      process.execPath,
      ['--require', 'tsx/cjs', cli, '--app', SAMPLE_APP, '--port', '0', '--storage', 'memory'],
      {
        cwd: path.join(__dirname, '..', '..', '..'),
        env: { ...process.env, DEVHOST_QUIET: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const deadline = Date.now() + 40_000;
      while (!out.includes('Host started.') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).to.include('Host started.');
      expect(out).to.match(
        /Durable HTTP API: {2}http:\/\/localhost:\d+\/runtime\/webhooks\/durabletask\/ {2}\(task hub HostSampleHub\)/,
      );
      expect(out).to.match(/Storage: +in memory \(lost on exit\)/);
      const echoUrl = /\tEcho: \[GET,POST,PUT\] (http:\/\/localhost:\d+\/api)\/echo/.exec(out)?.[1];
      const res = await fetch(`${echoUrl}/echo/5`);
      expect(res.status).to.equal(200);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
