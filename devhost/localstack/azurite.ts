/**
 * Azurite (blob, queue, table) as a child process on loopback, on free ports.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AzuriteServers } from './index';
import { startChildServer } from './childServer';

/** Azurite's well-known development account; public, not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StartAzuriteOptions {
  /** Folder for persistence; omitted = in memory (data dies with the process). */
  location?: string;
  /** Silences Azurite's access log (default true). */
  silent?: boolean;
  /** Fixed ports (default: free ports chosen by the OS). Restarting on the same ports keeps URLs stable. */
  ports?: { blob?: number; queue?: number; table?: number };
}

export async function startAzurite(opts: StartAzuriteOptions = {}): Promise<AzuriteServers> {
  const args = [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(opts.ports?.blob ?? 0),
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    String(opts.ports?.queue ?? 0),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(opts.ports?.table ?? 0),
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    '--disableProductStyleUrl',
  ];
  if (opts.location) {
    mkdirSync(opts.location, { recursive: true });
    args.push('--location', opts.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  if (opts.silent !== false) args.push('--silent');

  const listening = (service: string): RegExp =>
    new RegExp(`Azurite ${service} service is successfully listening at (http://\\S+)`);
  const server = await startChildServer({
    name: 'Azurite',
    script: require.resolve('azurite/dist/src/azurite.js'),
    args,
    // In-memory mode writes nothing, but Azurite still resolves its workspace from cwd.
    cwd: opts.location ?? tmpdir(),
    readyPatterns: [listening('Blob'), listening('Queue'), listening('Table')],
  });
  const [blob, queue, table] = server.captures.map((u) => (u === undefined ? undefined : `${u}/${AZURITE_ACCOUNT}`));
  if (!blob || !queue || !table)
    throw new Error(`Azurite did not print all three service URLs (got ${server.captures.join(', ')})`);
  return {
    connectionString: azuriteConnectionString({ blob, queue, table }),
    blobUrl: blob,
    queueUrl: queue,
    tableUrl: table,
    pid: server.pid,
    stop: server.stop,
  };
}

export function azuriteConnectionString(urls: { blob: string; queue: string; table: string }): string {
  return (
    [
      'DefaultEndpointsProtocol=http',
      `AccountName=${AZURITE_ACCOUNT}`,
      `AccountKey=${AZURITE_KEY}`,
      `BlobEndpoint=${urls.blob}`,
      `QueueEndpoint=${urls.queue}`,
      `TableEndpoint=${urls.table}`,
    ].join(';') + ';'
  );
}
