import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect } from 'chai';

/**
 * One naming rule for test files (docs/TESTING.md, "Test files"), checked over the whole tree so a
 * file added anywhere, under any name, is caught: `test/<folder>/**\/<name>.<kind>.spec.ts`, the kind
 * naming its folder, and every test file run by an npm test script.
 */
const KINDS: Record<string, string> = {
  unit: 'test/unit',
  int: 'test/integration',
  replay: 'test/replay',
  devhost: 'test/devhost',
  reliability: 'test/reliability',
  e2e: 'test/e2e',
  browser: 'test/browser',
};
const RULE = `test files are named test/<folder>/**/<name>.<kind>.spec.ts, kind → folder: ${Object.entries(KINDS)
  .map(([k, f]) => `${k} → ${f}`)
  .join(', ')} (docs/TESTING.md, "Test files"; a new kind needs a row there, here and an npm script)`;

const ROOT = join(__dirname, '..', '..', '..');
const SKIP = new Set(['node_modules', 'dist', 'bench-results', 'coverage']);
const LOOKS_LIKE_A_TEST = /\.(spec|test)\.[cm]?[jt]sx?$/;

/** Why `file` breaks the rule, with the name it should have; undefined when it follows it. */
function problemWith(file: string): string | undefined {
  const kind = /\.([a-z0-9]+)\.spec\.ts$/.exec(file)?.[1];
  if (kind && KINDS[kind] && file.startsWith(`${KINDS[kind]}/`)) return undefined;
  const folderKind = Object.entries(KINDS).find(([, folder]) => file.startsWith(`${folder}/`))?.[0];
  const stem = file.replace(LOOKS_LIKE_A_TEST, '').replace(new RegExp(`\\.(${Object.keys(KINDS).join('|')})$`), '');
  return folderKind
    ? `${file} → ${stem}.${folderKind}.spec.ts`
    : `${file} → move it under one of ${Object.values(KINDS).join(', ')}`;
}

function testFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return LOOKS_LIKE_A_TEST.test(entry.name) ? [relative(ROOT, path).split(sep).join('/')] : [];
  });
}

/** The globs the npm test scripts hand to mocha, as regular expressions. */
function scriptGlobs(): RegExp[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const globs = Object.entries(scripts)
    .filter(([name]) => name.startsWith('test'))
    .flatMap(([, cmd]) =>
      [...cmd.matchAll(/'([^']+\.spec\.ts)'/g)].flatMap(([, glob]) => (glob === undefined ? [] : [glob])),
    );
  return globs.map(
    (g) =>
      new RegExp(
        `^${g
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '(?:.*/)?')
          .replace(/\*/g, '[^/]*')}$`,
      ),
  );
}

describe('test file names', () => {
  const files = testFiles();

  it('finds the test files of every kind', () => {
    for (const folder of Object.values(KINDS))
      expect(
        files.some((f) => f.startsWith(`${folder}/`)),
        folder,
      ).to.equal(true);
  });

  it('every test file follows the one naming rule', () => {
    const broken = files.map(problemWith).filter((p): p is string => p !== undefined);
    expect(broken, `${RULE}. Rename:\n  ${broken.join('\n  ')}\n`).to.deep.equal([]);
  });

  it('every test file is run by an npm test script', () => {
    const globs = scriptGlobs();
    const unrun = files.filter((f) => !globs.some((g) => g.test(f)));
    expect(
      unrun,
      `no "test:*" script in package.json runs these (each script's mocha glob is test/<folder>/**/*.<kind>.spec.ts):\n  ${unrun.join('\n  ')}\n`,
    ).to.deep.equal([]);
  });

  it('catches a name without its kind, a kind in the wrong folder, and a test outside test/', () => {
    expect(
      [
        'test/unit/cost/model.spec.ts',
        'test/devhost/host/patterns.spec.ts',
        'test/integration/subscriber/inbox.unit.spec.ts',
        'subscriber/src/inbox.test.ts',
        'test/unit/domain/decide.unit.spec.ts',
      ].map(problemWith),
    ).to.deep.equal([
      'test/unit/cost/model.spec.ts → test/unit/cost/model.unit.spec.ts',
      'test/devhost/host/patterns.spec.ts → test/devhost/host/patterns.devhost.spec.ts',
      'test/integration/subscriber/inbox.unit.spec.ts → test/integration/subscriber/inbox.int.spec.ts',
      `subscriber/src/inbox.test.ts → move it under one of ${Object.values(KINDS).join(', ')}`,
      undefined,
    ]);
  });
});
