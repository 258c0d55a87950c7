/**
 * Stand-in for `@azure/functions-core`, the module the real Node worker injects. `@azure/functions`
 * requires it lazily on the first `app.*` call; if the require fails, that copy of the library
 * switches to "test mode" for good and registers nothing. So `installCoreStandIn()` must run
 * before the app's entry module is imported (docs/DURABLE_PROTOCOL.md §1).
 */
import Module from 'node:module';
import type { FunctionMetadata, ProgrammingModel, Registration } from './types';

type Callback = (...args: unknown[]) => unknown;

class Disposable {
  #fn: () => void;
  constructor(fn: () => void) {
    this.#fn = fn;
  }
  dispose(): void {
    this.#fn();
  }
  static from(...items: { dispose(): void }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
}

interface CoreState {
  programmingModel?: ProgrammingModel;
  registrations: Map<string, Registration>;
  hooks: Map<string, Callback[]>;
  programmingModels: number;
  /** Set when the app called `app.setup({ enableHttpStream: true })` (@azure/functions logs it as a system message). */
  httpStreamRequested: boolean;
  log: (level: string, category: string, message: string) => void;
}

const state: CoreState = {
  registrations: new Map(),
  hooks: new Map(),
  programmingModels: 0,
  httpStreamRequested: false,
  log: (level, category, message) => {
    if (level === 'error' || level === 'warning' || level === 'critical') console.warn(`[${category}] ${message}`);
  },
};

const coreApi = {
  version: '3.10.1-devhost',
  hostVersion: '4.1040.0-devhost',
  Disposable,
  setProgrammingModel(pm: ProgrammingModel): void {
    state.programmingModel = pm;
    state.programmingModels++;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return state.programmingModel;
  },
  registerFunction(metadata: FunctionMetadata, handler: Callback): Disposable {
    if (state.registrations.has(metadata.name)) {
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    state.registrations.set(metadata.name, { metadata, handler });
    return new Disposable(() => state.registrations.delete(metadata.name));
  },
  registerHook(name: string, callback: Callback): Disposable {
    const list = state.hooks.get(name) ?? [];
    list.push(callback);
    state.hooks.set(name, list);
    return new Disposable(() => list.splice(list.indexOf(callback), 1));
  },
  log(level: string, category: string, message: string): void {
    if (category === 'system' && message === 'HTTP streaming enabled.') state.httpStreamRequested = true;
    state.log(level, category, message);
  },
};

let installed = false;

/** Makes every `require('@azure/functions-core')` in this process resolve to the stand-in. */
export function installCoreStandIn(): CoreState {
  if (!installed) {
    const mod = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
    const original = mod._resolveFilename;
    mod._resolveFilename = function (request: string, ...rest: unknown[]): string {
      return request === '@azure/functions-core' ? standInPath() : original.call(this, request, ...rest);
    };
    installed = true;
  }
  return state;
}

/** The file that `@azure/functions-core` resolves to: a tiny module re-exporting `coreApi`. */
function standInPath(): string {
  return require.resolve('./coreModule');
}

export function coreState(): CoreState {
  return state;
}

export { coreApi };
export type { CoreState };
