import * as chai from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  expandGlob,
  resolveEntryFiles,
  applyLocalSettings,
  parseTimeSpan,
  readHostConfig,
} from '@saga/devhost/internals';

const { expect } = chai;

describe('devhost app settings, host.json and entry resolution', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devhost-config-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('copies local.settings.json Values without overriding variables already set', () => {
    write('local.settings.json', JSON.stringify({ Values: { A: 'from file', B: 'from file', N: 3 } }));
    const env: NodeJS.ProcessEnv = { A: 'from env' };
    expect(applyLocalSettings(dir, env)).to.deep.equal(['B', 'N']);
    expect(env).to.deep.equal({ A: 'from env', B: 'from file', N: '3' });
  });

  it('tolerates a missing local.settings.json and host.json', () => {
    expect(applyLocalSettings(dir, {})).to.deep.equal([]);
    expect(readHostConfig(dir, {})).to.deep.include({
      routePrefix: 'api',
      taskHubName: 'TestHubName',
      functionTimeoutMs: undefined,
    });
  });

  it('reads routePrefix, hubName with %SETTING% and functionTimeout', () => {
    write(
      'host.json',
      JSON.stringify({
        functionTimeout: '00:10:00',
        extensions: { http: { routePrefix: '' }, durableTask: { hubName: '%HUB%', maxConcurrentActivityFunctions: 4 } },
      }),
    );
    expect(readHostConfig(dir, { HUB: 'MyHub1' })).to.deep.equal({
      routePrefix: '',
      taskHubName: 'MyHub1',
      functionTimeoutMs: 600_000,
      maxConcurrentActivityFunctions: 4,
      maxConcurrentOrchestratorFunctions: undefined,
      activityLeaseMs: undefined,
    });
    expect(() => readHostConfig(dir, {})).to.throw(/hubName refers to the app setting %HUB%, which is not set/);
    expect(() => readHostConfig(dir, { HUB: 'no-dashes' })).to.throw(/a task hub name must be 3-45 letters or digits/);
  });

  it("takes the activity lease from the storage provider's work-item visibility timeout, and names a bad one", () => {
    write(
      'host.json',
      JSON.stringify({
        extensions: { durableTask: { storageProvider: { workItemQueueVisibilityTimeout: '00:00:05' } } },
      }),
    );
    expect(readHostConfig(dir, {}).activityLeaseMs).to.equal(5000);
    for (const bad of ['5s', '-1', '00:00:00.5']) {
      write(
        'host.json',
        JSON.stringify({ extensions: { durableTask: { storageProvider: { workItemQueueVisibilityTimeout: bad } } } }),
      );
      expect(() => readHostConfig(dir, {}), bad).to.throw(
        /extensions\.durableTask\.storageProvider\.workItemQueueVisibilityTimeout/,
      );
    }
  });

  it('parses .NET time spans and rejects others with the field name', () => {
    expect(parseTimeSpan('1.02:03:04.5', 'x')).to.equal(((26 * 60 + 3) * 60 + 4) * 1000 + 500);
    expect(parseTimeSpan('-1', 'x')).to.equal(undefined);
    expect(() => parseTimeSpan('10m', 'host.json: functionTimeout')).to.throw(/host.json: functionTimeout is "10m"/);
  });

  it('expands a glob "main" and explains a missing entry', () => {
    write('dist/src/functions/a.js', '');
    write('dist/src/functions/b.js', '');
    write('dist/src/functions/b.js.map', '');
    write('dist/src/functions/nested/c.js', '');
    write('package.json', JSON.stringify({ main: 'dist/src/functions/*.js' }));
    expect(resolveEntryFiles(dir).map((f) => path.relative(dir, f))).to.deep.equal([
      'dist/src/functions/a.js',
      'dist/src/functions/b.js',
    ]);
    expect(expandGlob(dir, 'dist/**/*.js').map((f) => path.relative(dir, f))).to.deep.equal([
      'dist/src/functions/a.js',
      'dist/src/functions/b.js',
      'dist/src/functions/nested/c.js',
    ]);
    write('package.json', JSON.stringify({ main: 'dist/index.js' }));
    expect(() => resolveEntryFiles(dir)).to.throw(/"main" points to .*dist\/index\.js, which does not exist/);
  });
});
