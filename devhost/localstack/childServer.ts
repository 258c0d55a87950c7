/**
 * Runs a local server as a child process and waits for the lines that announce its ports.
 * Emulators run out of process so a devhost host killed with SIGKILL does not take their data with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  pid: number;
  /** The first capture group of each pattern, in order. */
  captures: string[];
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  name: string;
  script: string;
  args: string[];
  /** Options for node itself, e.g. a loader. */
  nodeArgs?: string[];
  /** Each must match one stdout line; group 1 is captured. */
  readyPatterns: RegExp[];
  cwd?: string;
  timeoutMs?: number;
  /** Echo the child's output to this process's stderr (startup diagnostics). */
  echo?: boolean;
}

export function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script, ...opts.args], {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pending = [...opts.readyPatterns];
  const captures: string[] = [];
  let output = '';

  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 30000} ms. Output:\n${output}`)), opts.timeoutMs ?? 30000);
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (!settled) output += chunk;
      if (opts.echo) process.stderr.write(chunk);
    });
    child.stdout.on('data', (chunk: string) => {
      if (opts.echo) process.stderr.write(chunk);
      if (settled) return;
      output += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = pending.length > 0 ? pending[0].exec(line) : null;
        if (!m) continue;
        pending.shift();
        captures.push(m[1]);
      }
      if (pending.length === 0) {
        settled = true;
        clearTimeout(timer);
        resolve({ pid: child.pid!, captures, stop: () => stopChild(child) });
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal}). Output:\n${output}`)));
  });
}

/** SIGTERM first so the server can close its files; SIGKILL if it lingers. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
