/**
 * A throwaway app directory whose package.json "main" is the TypeScript entry, so the devhost (running
 * under tsx) loads the current source instead of whatever dist/ holds, and no build is needed.
 * host.json is copied from the repo so the app's host settings are the real ones.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function sourceAppDir(repo: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-app-'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'bench-app', main: path.join(repo, 'src', 'index.ts') }),
  );
  copyFileSync(path.join(repo, 'host.json'), path.join(dir, 'host.json'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
