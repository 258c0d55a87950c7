/**
 * Client spans for the store adapters without touching them: every async method of a port becomes a
 * CLIENT span named `<operation> <target>` with the database semantic-convention attributes.
 */
import type { Attributes } from '@opentelemetry/api';
import { clientSpan } from './spans';

export interface DbTarget {
  /** `db.system.name`, e.g. `azure.cosmosdb` */
  system: string;
  /** `db.namespace`: the Cosmos database or the storage account. */
  namespace: string;
  /** `db.collection.name`: container or table. */
  collection: string;
  /** `server.address` */
  server?: string;
}

export function traced<T extends object>(port: T, target: DbTarget): T {
  const base: Attributes = {
    'db.system.name': target.system,
    'db.namespace': target.namespace,
    'db.collection.name': target.collection,
    ...(target.server ? { 'server.address': target.server } : {}),
  };
  return new Proxy(port, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value;
      // Every port method is async (application/ports), so each call is one span around its promise.
      return (...args: unknown[]) =>
        clientSpan(`${prop} ${target.collection}`, { ...base, 'db.operation.name': prop }, async () =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args),
        );
    },
  });
}

export function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}
