/**
 * Loads a function app the way `func start` and the Node worker do: settings first, then the
 * `@azure/functions-core` stand-in, then the entry module(s) from package.json "main".
 * The stand-in's registry is per process, so one process hosts one app; loading the same
 * directory again returns the first result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installCoreStandIn } from '../functions/coreStandIn';
import type { BindingInfo, Registration } from '../functions/types';
import { resolveEntryFiles } from './entryPoint';
import { applyLocalSettings, readHostConfig, type HostConfig } from './hostConfig';
import { unmodelledWarnings } from './unmodelled';

export const SUPPORTED_TRIGGERS = [
  'httpTrigger',
  'timerTrigger',
  'orchestrationTrigger',
  'activityTrigger',
  'entityTrigger',
  'eventGridTrigger',
] as const;

export interface FunctionInfo {
  name: string;
  triggerType: string;
  supported: boolean;
  trigger: BindingInfo;
  /** True when the function has a `durableClient` (or `orchestrationClient`) input. */
  usesDurableClient: boolean;
}

export interface LoadedApp {
  appDir: string;
  config: HostConfig;
  entryFiles: string[];
  registrations: Map<string, Registration>;
  functions: FunctionInfo[];
  warnings: string[];
  /** The app asked for HTTP streams (`app.setup({ enableHttpStream: true })`), which the devhost does not serve. */
  httpStream: boolean;
}

export interface LoadAppOptions {
  /** Receives warnings as they happen (they are also returned in `warnings`). */
  warn?: (message: string) => void;
}

export const HTTP_STREAM_WARNING =
  'Warning: app.setup({ enableHttpStream: true }) is not supported by the devhost, so its HTTP triggers answer 501. In Azure (host 4.28 or later) the host proxies each HTTP request to the worker as a stream.';

let loaded: { realDir: string; app: Promise<LoadedApp> } | undefined;

export function loadApp(appDir: string, options: LoadAppOptions = {}): Promise<LoadedApp> {
  const realDir = fs.realpathSync(path.resolve(appDir));
  if (loaded) {
    if (loaded.realDir !== realDir) {
      return Promise.reject(
        new Error(
          `This process already hosts the app in ${loaded.realDir}; the functions-core registry is per process, so ${realDir} needs its own process.`,
        ),
      );
    }
    return loaded.app;
  }
  const app = load(realDir, options.warn ?? ((m) => console.warn(m)));
  loaded = { realDir, app };
  return app;
}

async function load(appDir: string, warn: (message: string) => void): Promise<LoadedApp> {
  const warnings: string[] = [];
  const addWarning = (m: string): void => {
    warnings.push(m);
    warn(m);
  };
  applyLocalSettings(appDir);
  const config = readHostConfig(appDir);
  // Must precede the first `app.*` call, or that copy of @azure/functions stays in test mode for good.
  const core = installCoreStandIn();
  const entryFiles = resolveEntryFiles(appDir);
  for (const file of entryFiles) await importModule(file);

  if (core.programmingModels > 1) {
    addWarning(
      `Warning: ${core.programmingModels} copies of @azure/functions registered functions (a nested copy under durable-functions?). Run "npm dedupe" so the app uses one.`,
    );
  }
  const functions = [...core.registrations.values()].map(describe);
  const unsupported = functions.filter((f) => !f.supported);
  if (unsupported.length > 0) {
    addWarning(
      `Warning: the devhost does not run these trigger types, so these functions will never be invoked: ${unsupported.map((f) => `${f.name} (${f.triggerType})`).join(', ')}. Supported: ${SUPPORTED_TRIGGERS.join(', ')}.`,
    );
  }
  for (const w of unmodelledWarnings(core.registrations.values(), config)) addWarning(w);
  if (core.httpStreamRequested) addWarning(HTTP_STREAM_WARNING);
  if (functions.length === 0) addWarning(`Warning: no functions were registered by ${entryFiles.join(', ')}.`);
  for (const hook of core.hooks.get('appStart') ?? []) await hook({ hookData: {}, functionAppDirectory: appDir });
  return {
    appDir,
    config,
    entryFiles,
    registrations: core.registrations,
    functions,
    warnings,
    httpStream: core.httpStreamRequested,
  };
}

function describe(reg: Registration): FunctionInfo {
  const bindings = Object.values(reg.metadata.bindings);
  const trigger = bindings.find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`Function "${reg.metadata.name}" has no trigger binding.`);
  const triggerType = trigger.type;
  return {
    name: reg.metadata.name,
    triggerType,
    supported: SUPPORTED_TRIGGERS.some((t) => t.toLowerCase() === triggerType.toLowerCase()),
    trigger,
    usesDurableClient: bindings.some(
      (b) => b.direction === 'in' && /^(durableClient|orchestrationClient)$/i.test(b.type),
    ),
  };
}

// A literal `import()` would be compiled to `require()` under module node16 for .ts sources.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function importModule(file: string): Promise<void> {
  if (isEsm(file)) await dynamicImport(pathToFileURL(file).href);
  // CommonJS entries load through require so the stand-in hook applies.
  else require(file);
}

function isEsm(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs') || !file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module';
    if (path.dirname(dir) === dir) return false;
  }
}
