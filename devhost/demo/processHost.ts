/**
 * The devhost CLI as a child process that a test can kill with SIGKILL and start again, so a crash
 * is a real crash (no finally blocks, no graceful shutdown) while the emulators keep their data.
 * Runs the compiled CLI (dist/devhost/cli.js): build first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ProcessHostOptions {
  /** The function app folder (holds package.json and host.json). */
  appDir: string;
  /** Task hub storage connection string (e.g. the Azurite child's), so instances survive a crash. */
  storage: string;
  /** App settings the host process sees as its environment. */
  env: Record<string, string>;
  keys?: boolean;
  /** Port of the first start; later starts reuse the port the first one got. Default 0 (any free port). */
  port?: number;
  startTimeoutMs?: number;
}

export interface ProcessHost {
  /** http://127.0.0.1:port of the running host. */
  readonly url: string;
  /** The function key when started with `keys`. */
  readonly masterKey: string | undefined;
  readonly pid: number;
  /** Everything the current process wrote, for diagnostics. */
  output(): string;
  /** SIGKILL: the host gets no chance to clean up. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts a fresh process on the same port and waits until it serves. */
  restart(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  url: string;
  masterKey?: string;
  output: string;
}

/** The CLI next to this file once compiled; from source, the one in dist/. */
function cliScript(): string {
  const compiled = join(__dirname, '..', 'cli.js');
  if (existsSync(compiled)) return compiled;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const built = join(dir, 'dist', 'devhost', 'cli.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npx tsc -p tsconfig.json" first.`);
  return built;
}

function launch(opts: ProcessHostOptions, port: number): Promise<Running> {
  const args = [cliScript(), '--app', opts.appDir, '--port', String(port), '--storage', opts.storage, ...(opts.keys ? ['--keys'] : [])];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, url: '', output: '' };
  return new Promise<Running>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`devhost did not start within ${opts.startTimeoutMs ?? 60000} ms. Output:\n${running.output}`)), opts.startTimeoutMs ?? 60000);
    const onData = (chunk: Buffer): void => {
      running.output += chunk.toString();
      // Bounded, so a long run does not keep every log line.
      if (running.output.length > 200_000) running.output = running.output.slice(-100_000);
      if (settled) return;
      const key = /^Function key:\s+(\S+)/m.exec(running.output);
      if (key) running.masterKey = key[1];
      const api = /^Durable HTTP API:\s+(https?:\/\/[^/\s]+)/m.exec(running.output);
      if (api && /Host started\./.test(running.output)) {
        settled = true;
        clearTimeout(timer);
        running.url = api[1];
        resolve(running);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`devhost exited before it served (code ${code}, signal ${signal}). Output:\n${running.output}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startProcessHost(opts: ProcessHostOptions): Promise<ProcessHost> {
  let current = await launch(opts, opts.port ?? 0);
  const port = Number(new URL(current.url).port);
  return {
    get url() { return current.url; },
    get masterKey() { return current.masterKey; },
    get pid() { return current.child.pid!; },
    output: () => current.output,
    async kill() {
      const gone = exited(current.child);
      current.child.kill('SIGKILL');
      await gone;
    },
    async restart() {
      if (current.child.exitCode === null && current.child.signalCode === null) throw new Error('restart: the host is still running; kill() it first');
      current = await launch(opts, port);
    },
    async stop() {
      const child = current.child;
      const gone = exited(child);
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await gone;
      clearTimeout(killer);
    },
  };
}
