/**
 * `npm start`'s console: a live progress view instead of a line per invocation. The host's
 * Executing/Executed lines and the app's own (JSON) log lines go to a log file; warnings and errors
 * also feed the view's "last errors". On a TTY the view redraws in place; without one (CI) it prints
 * a line when something changed, at most every `intervalMs`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FunctionLogSink, HostLog } from '@saga/devhost';
import type { Progress } from './demoRun';

export interface LogFile {
  path: string;
  hostLog: HostLog;
  functionLog: FunctionLogSink;
  /** The newest warnings/errors, newest last. */
  lastErrors(): string[];
}

export function openLogFile(path: string, keepErrors = 5): LogFile {
  mkdirSync(dirname(path), { recursive: true });
  const errors: string[] = [];
  const write = (level: string, text: string): void => {
    appendFileSync(path, `[${new Date().toISOString()}] ${level.padEnd(11)} ${text}\n`);
    if (level === 'error' || level === 'warning' || level === 'critical') {
      errors.push(`${new Date().toISOString().slice(11, 19)} ${summarize(text)}`);
      if (errors.length > keepErrors) errors.shift();
    }
  };
  return {
    path,
    hostLog: (level, message) => write(level, message),
    functionLog: (fn, level, _category, message) => write(level, `${fn}: ${message}`),
    lastErrors: () => [...errors],
  };
}

/** A JSON log line shows as its message; anything else as its first line. */
function summarize(text: string): string {
  const json = text.indexOf('{');
  if (json >= 0) {
    try {
      const o = JSON.parse(text.slice(json)) as { message?: string; requestId?: string };
      if (o.message) return `${o.requestId ? `${o.requestId}: ` : ''}${o.message}`.slice(0, 160);
    } catch {
      // not JSON: fall through
    }
  }
  return (text.split('\n')[0] ?? '').slice(0, 160);
}

export interface ProgressView {
  update(p: Progress, errors: string[]): void;
  /** Leaves the last frame on screen. */
  close(): void;
}

export function createProgressView(opts: {
  tty: boolean;
  dashboardUrl: string;
  logPath?: string;
  intervalMs?: number;
  write?: (s: string) => void;
  columns?: () => number | undefined;
}): ProgressView {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const started = Date.now();
  let drawn = 0;
  let lastLine = '';
  let lastPrinted = 0;
  return {
    update(p, errors) {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? p.terminal / seconds : 0;
      const stages = Object.entries(p.byStage)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join('  ');
      if (!opts.tty) {
        const line = `${p.terminal}/${p.total} done  ${rate.toFixed(2)} items/s  ${stages}`;
        const due = Date.now() - lastPrinted >= (opts.intervalMs ?? 5000) || p.terminal === p.total;
        if (line !== lastLine && due) {
          write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
          lastLine = line;
          lastPrinted = Date.now();
        }
        return;
      }
      const frame = [
        `Progress   ${p.terminal}/${p.total} done   ${rate.toFixed(2)} items/s   ${Math.round(seconds)} s`,
        ...Object.entries(p.byStage)
          .sort()
          .map(([k, v]) => `  ${k.padEnd(24)} ${String(v).padStart(6)}  ${bar(v, p.total)}`),
        `Last errors${errors.length === 0 ? ': none' : ':'}`,
        ...errors.map((e) => `  ${e}`),
        `Dashboard  ${opts.dashboardUrl}`,
        ...(opts.logPath ? [`Host log   ${opts.logPath}`] : []),
      ];
      // Lines are cut to the terminal's width: a wrapped line would break the move back up.
      const width = (opts.columns ?? (() => process.stdout.columns))() ?? 120;
      const lines = frame.map((l) => (l.length >= width ? `${l.slice(0, Math.max(width - 2, 10))}…` : l));
      // Move up over the previous frame and clear it, then draw.
      write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = frame.length;
    },
    close() {
      drawn = 0;
    },
  };
}

function bar(n: number, total: number): string {
  const width = 30;
  const filled = total > 0 ? Math.round((n / total) * width) : 0;
  return '#'.repeat(filled) + '.'.repeat(width - filled);
}
