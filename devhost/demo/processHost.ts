/**
 * The devhost CLI as a child process that a test can kill with SIGKILL and start again, so a crash
 * is a real crash (no finally blocks, no graceful shutdown) while the emulators keep their data.
 * Runs the compiled CLI (devhost/dist/devhost/cli.js): build first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from '../localstack/childServer';

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
  /** The CLI's --activity-lease-seconds: how soon an activity cut off by a kill runs again. */
  activityLeaseSeconds?: number;
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
  server: ChildServer;
  url: string;
  masterKey?: string;
}

/** The CLI next to this file once compiled; from source, the package's build in dist/. */
function cliScript(): string {
  const compiled = join(__dirname, '..', 'cli.js');
  if (existsSync(compiled)) return compiled;
  const built = join(__dirname, '..', 'dist', 'devhost', 'cli.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" first.`);
  return built;
}

async function launch(opts: ProcessHostOptions, port: number): Promise<Running> {
  const args = [
    '--app',
    opts.appDir,
    '--port',
    String(port),
    '--storage',
    opts.storage,
    ...(opts.keys ? ['--keys'] : []),
  ];
  if (opts.activityLeaseSeconds !== undefined) args.push('--activity-lease-seconds', String(opts.activityLeaseSeconds));
  const server = await startChildServer({
    name: 'devhost',
    script: cliScript(),
    args,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    readyPatterns: [/^Durable HTTP API:\s+(https?:\/\/[^/\s]+)/, /^Host started\./],
    timeoutMs: opts.startTimeoutMs ?? 60000,
    keepOutput: true,
  });
  const [url] = server.captures;
  if (url === undefined) throw new Error('devhost started without printing its Durable HTTP API URL');
  return { server, url, masterKey: /^Function key:\s+(\S+)/m.exec(server.output())?.[1] };
}

export async function startProcessHost(opts: ProcessHostOptions): Promise<ProcessHost> {
  let current = await launch(opts, opts.port ?? 0);
  const port = Number(new URL(current.url).port);
  return {
    get url() {
      return current.url;
    },
    get masterKey() {
      return current.masterKey;
    },
    get pid() {
      return current.server.pid;
    },
    output: () => current.server.output(),
    kill: () => current.server.kill(),
    async restart() {
      if (current.server.running()) throw new Error('restart: the host is still running; kill() it first');
      current = await launch(opts, port);
    },
    stop: () => current.server.stop(),
  };
}
