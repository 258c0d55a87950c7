/**
 * The dashboard's files: the page (with an import map, so the browser loads preact and htm from
 * node_modules without a bundler or CDN) and a fixed set of assets. The function key in `code` is
 * carried into every URL the page uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { notFound } from './problem';

/** The folder holding dashboard/app.js (the repo root, or the deployed package's root). */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'dashboard', 'app.js'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no dashboard/app.js above ${__dirname}`);
    dir = up;
  }
  return dir;
}

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'app.js': { file: () => join(packageRoot(), 'dashboard', 'app.js'), type: 'text/javascript' },
  'requests.js': { file: () => join(packageRoot(), 'dashboard', 'requests.js'), type: 'text/javascript' },
  'instances.js': { file: () => join(packageRoot(), 'dashboard', 'instances.js'), type: 'text/javascript' },
  'parts.js': { file: () => join(packageRoot(), 'dashboard', 'parts.js'), type: 'text/javascript' },
  'api.js': { file: () => join(packageRoot(), 'dashboard', 'api.js'), type: 'text/javascript' },
  'style.css': { file: () => join(packageRoot(), 'dashboard', 'style.css'), type: 'text/css' },
  'preact.mjs': { file: () => require.resolve('preact'), type: 'text/javascript' },
  'hooks.mjs': { file: () => require.resolve('preact/hooks'), type: 'text/javascript' },
  'htm.mjs': { file: () => require.resolve('htm').replace(/htm\.js$/, 'htm.mjs'), type: 'text/javascript' },
};

const OWN_MODULES = ['api.js', 'parts.js', 'requests.js', 'instances.js'];

const cache = new Map<string, Buffer>();
function read(path: string): Buffer {
  let b = cache.get(path);
  if (!b) cache.set(path, (b = readFileSync(path)));
  return b;
}

export interface Served {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function dashboardAsset(name: string | undefined): Served {
  const asset = ASSETS[name ?? ''];
  if (!asset) throw notFound(`no dashboard asset '${String(name).slice(0, 60)}'`);
  return {
    status: 200,
    headers: {
      'content-type': `${asset.type}; charset=utf-8`,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    },
    body: read(asset.file()),
  };
}

/**
 * The page at `url` (its path is the dashboard's base). `requests: false` serves the instances-only
 * dashboard (the devhost's, for apps without a request projection).
 */
export function dashboardPage(url: URL, options: { requests: boolean }): Served {
  const base = url.pathname.replace(/\/?$/, '/');
  const code = url.searchParams.get('code');
  const q = code ? `?code=${encodeURIComponent(code)}` : '';
  const imports = {
    preact: `${base}ui/preact.mjs${q}`,
    'preact/hooks': `${base}ui/hooks.mjs${q}`,
    htm: `${base}ui/htm.mjs${q}`,
    // The page's own modules import each other by relative URL; the map adds the key to those URLs too.
    ...Object.fromEntries(OWN_MODULES.map((f) => [`${base}ui/${f}`, `${base}ui/${f}${q}`])),
  };
  // JSON inside <script>: '<' escaped so no value can close the element.
  const json = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Saga workflow dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${base}ui/style.css${q}">
<script type="importmap">${json({ imports })}</script>
${['app.js', ...OWN_MODULES, 'preact.mjs', 'hooks.mjs', 'htm.mjs'].map((f) => `<link rel="modulepreload" href="${base}ui/${f}${q}">`).join('\n')}
<script>window.DASHBOARD = ${json({ base, code: code ?? null, requests: options.requests })};
// The first page of requests is fetched while the modules load (the default view needs it first).
window.DASHBOARD.firstPage = window.DASHBOARD.requests ? fetch(${json(`${base}api/requests?top=50&counts=false${code ? `&code=${encodeURIComponent(code)}` : ''}`)}).then((r) => (r.ok ? r.json() : null)).catch(() => null) : null;</script>
</head><body><div id="app">Loading…</div>
<script type="module" src="${base}ui/app.js${q}"></script></body></html>`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: html,
  };
}
