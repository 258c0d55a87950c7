/**
 * Startup warnings for parts of an app the devhost loads but does not model, each naming the Azure
 * behaviour it stands for, so nothing is skipped silently. (Unsupported trigger types have their
 * own warning in loadApp; unsupported durable actions fail the instance, see durable/entityActions.)
 */
import type { Registration } from '../functions/types';
import type { HostConfig } from './hostConfig';

/** Bindings the devhost serves itself: triggers, the HTTP response and the durable client. */
function modelled(type: string, direction: string): boolean {
  return (
    /trigger$/i.test(type) ||
    (type === 'http' && direction === 'out') ||
    /^(durableClient|orchestrationClient)$/i.test(type)
  );
}

export function unmodelledWarnings(registrations: Iterable<Registration>, config: HostConfig): string[] {
  const warnings: string[] = [];
  const bindings: string[] = [];
  for (const reg of registrations) {
    for (const b of Object.values(reg.metadata.bindings)) {
      if (!modelled(b.type, b.direction)) bindings.push(`${reg.metadata.name} (${b.type} ${b.direction})`);
    }
  }
  if (bindings.length) {
    warnings.push(
      `Warning: the devhost does not model these bindings, so their values are neither read nor written: ${bindings.join(', ')}. In Azure the Functions host reads input bindings before each call and writes what the function sets in context.extraOutputs after it.`,
    );
  }
  if (config.storageProviderType && !/^azurestorage$/i.test(config.storageProviderType)) {
    warnings.push(
      `Warning: host.json selects the durable storage provider '${config.storageProviderType}'; the devhost runs its own task hub store with the Azure Storage provider's rules (the default), so behaviour specific to '${config.storageProviderType}' (partitioning, batching, size limits) is not reproduced.`,
    );
  }
  return warnings;
}
