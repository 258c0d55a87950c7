/**
 * Resolves package.json "main" the way the Node worker does: a file, or a glob such as
 * `dist/src/functions/*.js` (supports `*`, `?` and `**`), expanded here to avoid a dependency.
 */
import fs from 'node:fs';
import path from 'node:path';

export function resolveEntryFiles(appDir: string): string[] {
  const pkgFile = path.join(appDir, 'package.json');
  if (!fs.existsSync(pkgFile))
    throw new Error(`No package.json in ${appDir}: the devhost loads the app from its "main" entry.`);
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: unknown };
  const main = typeof pkg.main === 'string' && pkg.main.trim() !== '' ? pkg.main.trim() : 'index.js';
  if (!/[*?]/.test(main)) {
    const file = path.resolve(appDir, main);
    if (!fs.existsSync(file))
      throw new Error(`${pkgFile}: "main" points to ${file}, which does not exist (did you build the app?).`);
    return [file];
  }
  const files = expandGlob(appDir, main);
  if (files.length === 0)
    throw new Error(`${pkgFile}: "main" glob "${main}" matched no files (did you build the app?).`);
  return files;
}

export function expandGlob(baseDir: string, pattern: string): string[] {
  const parts = pattern
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .filter((p) => p !== '');
  const results: string[] = [];
  walk(path.resolve(baseDir), parts, results);
  return [...new Set(results)].sort();
}

function walk(dir: string, parts: string[], out: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  if (head === '**') {
    walk(dir, rest, out);
    for (const entry of readDir(dir)) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
        walk(path.join(dir, entry.name), parts, out);
    }
    return;
  }
  if (!/[*?]/.test(head)) {
    const next = path.join(dir, head);
    if (rest.length === 0) {
      if (isFile(next)) out.push(next);
    } else if (fs.existsSync(next)) {
      walk(next, rest, out);
    }
    return;
  }
  const re = new RegExp(
    `^${head
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  for (const entry of readDir(dir)) {
    if (!re.test(entry.name)) continue;
    const next = path.join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile()) out.push(next);
    } else if (entry.isDirectory()) {
      walk(next, rest, out);
    }
  }
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
