/**
 * Bench stages that host the app run in a child process each: a process hosts one app (the
 * functions-core registry is per process), and a fresh process also gives each run its own RSS.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { EndToEnd, EndToEndOptions } from './endToEnd';

/** Runs a bench script in a child process and parses the last line it prints as JSON. */
export function runChild<T>(script: string, args: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--conditions=devhost-source',
        '--require',
        require.resolve('tsx/cjs'),
        path.join(__dirname, script),
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffer = '';
    let result: string | undefined;
    // Progress lines pass through; the result is the JSON line.
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.startsWith('{')) result = line;
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`bench/${script} exited ${String(code)}`));
      else if (result === undefined) reject(new Error(`bench/${script} printed no result`));
      else resolve(JSON.parse(result) as T);
    });
  });
}

/** One end-to-end run in its own process (bench/endToEndChild.ts). */
export function endToEndInChild(items: number, opts: EndToEndOptions = {}): Promise<EndToEnd> {
  return runChild<EndToEnd>('endToEndChild.ts', [JSON.stringify({ items, ...opts })]);
}

/** The child side: keeps the process alive until `work` settles, then prints its result as one JSON line. */
export function childMain(work: () => Promise<unknown>): void {
  // The engine's timers do not hold the process open; this does until the work settles.
  const keepAlive = setInterval(() => undefined, 1000);
  work().then(
    (result) => {
      clearInterval(keepAlive);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
