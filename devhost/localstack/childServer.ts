/**
 * Runs a local server as a child process and waits for the lines that announce its ports.
 * Emulators run out of process so a devhost host killed with SIGKILL does not take their data with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  pid: number;
  /** The first capture group of each pattern, in order (undefined for a pattern without one). */
  captures: (string | undefined)[];
  /** What the child wrote (the last ~100 KB when `keepOutput`, else up to ready). */
  output(): string;
  running(): boolean;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** SIGKILL at once: a real crash. Resolves once the process is gone. */
  kill(): Promise<void>;
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
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Keep collecting output after ready (bounded), for diagnostics of long-running children. */
  keepOutput?: boolean;
}

export function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script, ...opts.args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pending = [...opts.readyPatterns];
  const captures: (string | undefined)[] = [];
  let output = '';

  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 30000} ms. Output:\n${output}`)),
      opts.timeoutMs ?? 30000,
    );
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
    const keep = (chunk: string): void => {
      if (settled && !opts.keepOutput) return;
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stderr.on('data', (chunk: string) => {
      keep(chunk);
      if (opts.echo) process.stderr.write(chunk);
    });
    child.stdout.on('data', (chunk: string) => {
      if (opts.echo) process.stderr.write(chunk);
      keep(chunk);
      if (settled) return;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = pending[0]?.exec(line);
        if (!m) continue;
        pending.shift();
        captures.push(m[1]);
      }
      if (pending.length === 0) {
        settled = true;
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          captures,
          output: () => output,
          running: () => !hasExited(child),
          stop: () => stopChild(child),
          kill: () => {
            const gone = exitOf(child);
            child.kill('SIGKILL');
            return gone;
          },
        });
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      fail(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal}). Output:\n${output}`)),
    );
  });
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

function exitOf(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM first so the server can close its files; SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  const gone = exitOf(child);
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  child.kill('SIGTERM');
  await gone;
  clearTimeout(killer);
}
