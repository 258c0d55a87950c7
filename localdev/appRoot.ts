import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The function app folder (the repository root, with host.json), from the sources or from dist/. */
export function appRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no host.json above ${__dirname}: cannot find the function app folder`);
  }
}
