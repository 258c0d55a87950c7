/**
 * One function invocation as the host runs it: Executing/Executed log lines, the host.json
 * functionTimeout, and the durableClient binding data for functions that declare that input.
 */
import { randomUUID } from 'node:crypto';
import { invokeRegistration } from '../functions/invoke';
import type { Registration, RpcTypedData } from '../functions/types';
import type { HostLog } from './log';

export interface RunOptions {
  trigger: RpcTypedData;
  reason: string;
  durableClientData?: unknown;
  timeoutMs?: number;
  log: HostLog;
}

export class FunctionTimeoutError extends Error {
  constructor(name: string, ms: number) {
    super(`Timeout value of ${ms} ms was exceeded by function: Functions.${name}`);
    this.name = 'FunctionTimeoutError';
  }
}

export async function runFunction(
  reg: Registration,
  options: RunOptions,
): Promise<{ returnValue: unknown; outputData: { name: string; data: unknown }[] }> {
  const name = reg.metadata.name;
  const id = randomUUID();
  const started = Date.now();
  options.log('information', `Executing 'Functions.${name}' (Reason='${options.reason}', Id=${id})`);
  const extraInputsByType: Record<string, RpcTypedData> = {};
  if (options.durableClientData !== undefined) {
    const data = { string: JSON.stringify(options.durableClientData) };
    extraInputsByType.durableClient = data;
    extraInputsByType.orchestrationClient = data;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const invocation = invokeRegistration(reg, { trigger: options.trigger, extraInputsByType });
    // A timed-out invocation keeps running (as a stuck worker would); its late failure is not news.
    invocation.catch(() => undefined);
    const result =
      options.timeoutMs === undefined
        ? await invocation
        : await Promise.race([
            invocation,
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new FunctionTimeoutError(name, options.timeoutMs as number)),
                options.timeoutMs,
              );
            }),
          ]);
    options.log(
      'information',
      `Executed 'Functions.${name}' (Succeeded, Id=${id}, Duration=${Date.now() - started}ms)`,
    );
    return result;
  } catch (e) {
    options.log(
      'error',
      `Executed 'Functions.${name}' (Failed, Id=${id}, Duration=${Date.now() - started}ms)\n${(e as Error)?.stack ?? String(e)}`,
    );
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
