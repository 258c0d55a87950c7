import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createProgressView, openLogFile } from '../../../localdev/demo/progressView';

describe('npm start console: progress view and log file', () => {
  const progress = (terminal: number, byStage: Record<string, number>) => ({ terminal, total: 10, byStage });

  it('without a terminal prints a line only when the progress changed', () => {
    const out: string[] = [];
    const view = createProgressView({
      tty: false,
      dashboardUrl: 'http://x/api/dashboard',
      intervalMs: 0,
      write: (s) => out.push(s),
    });
    view.update(progress(0, { Polling: 10 }), []);
    view.update(progress(0, { Polling: 10 }), []);
    view.update(progress(4, { Polling: 6, 'Completed:Pass': 4 }), []);
    expect(out).to.have.length(2);
    expect(out[1]).to.match(/4\/10 done .* items\/s {2}Completed:Pass=4 {2}Polling=6\n$/);
    expect(out.join('')).to.not.contain('\x1b[');
  });

  it('on a terminal redraws one frame in place with counts, the last errors and the dashboard URL', () => {
    const out: string[] = [];
    const view = createProgressView({ tty: true, dashboardUrl: 'http://x/api/dashboard', write: (s) => out.push(s) });
    view.update(progress(1, { Polling: 9, 'Completed:Fail': 1 }), []);
    view.update(progress(2, { Polling: 8, 'Completed:Fail': 2 }), ['12:00:00 req-1: pollJob refused: gone']);
    const ESC = String.fromCharCode(27);
    expect(out[0]?.startsWith(ESC)).to.equal(false);
    expect(
      out[1]?.startsWith(`${ESC}[5F${ESC}[J`),
      'moves up over the first 5-line frame (header, 2 stages, errors, URL) and clears it',
    ).to.equal(true);
    expect(out[1])
      .to.contain('2/10 done')
      .and.contain('Completed:Fail')
      .and.contain('req-1: pollJob refused: gone')
      .and.contain('Dashboard  http://x/api/dashboard');
  });

  it('writes host and function lines to the file and keeps the newest warnings and errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'progress-'));
    try {
      const log = openLogFile(path.join(dir, 'logs', 'start.log'), 2);
      log.hostLog('information', "Executing 'Functions.pollJob' (Reason='x', Id=1)");
      log.functionLog(
        'pollJob',
        'warning',
        'user',
        JSON.stringify({ level: 'warning', message: 'pollJob refused: gone', requestId: 'req-1' }),
      );
      log.hostLog('error', 'first line\nstack');
      log.hostLog('warning', 'third');
      const text = readFileSync(log.path, 'utf8');
      expect(text).to.contain("Executing 'Functions.pollJob'").and.contain('pollJob refused: gone');
      const errors = log.lastErrors();
      expect(errors).to.have.length(2);
      expect(errors[0]).to.match(/ first line$/);
      expect(errors[1]).to.match(/ third$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
