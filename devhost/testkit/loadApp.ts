/**
 * Functions register into one process-wide registry (the @azure/functions-core stand-in), and
 * `@azure/functions` refuses a second registration of a name. So an app is loaded once per
 * process, however many test hosts use it.
 */
import path from 'node:path';
import { installCoreStandIn } from '../functions/coreStandIn';
import type { Registration } from '../functions/types';

// Installed on import too, so a test file that imports the kit before the app's modules is safe.
installCoreStandIn();

const loaded = new Set<string | (() => void | Promise<void>)>();

export type AppSource = string | (() => void | Promise<void>);

export async function loadAppOnce(app: AppSource): Promise<Map<string, Registration>> {
  const state = installCoreStandIn();
  const key = typeof app === 'string' ? require.resolve(path.resolve(app)) : app;
  if (!loaded.has(key)) {
    loaded.add(key);
    if (typeof key === 'string') require(key);
    else await key();
  }
  return state.registrations;
}
