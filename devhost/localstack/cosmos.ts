/**
 * A Cosmos DB stand-in (@vercel/cosmosdb-server) on loopback over HTTPS with its bundled self-signed
 * certificate. Data is in memory: it lives as long as the server process.
 *
 * What the server does and does not do (read in its source, 1.0.1, and exercised by our tests):
 * - transactional batch: supported, ops applied in order, the failing op carries its code and later ops 424;
 *   ops before the failing one are NOT rolled back (real Cosmos writes nothing). Requests are handled one at a
 *   time, so two batches never interleave.
 * - TTL: not implemented; `defaultTtl` and item `ttl` are stored and ignored (items never expire).
 * - queries: SQL incl. ORDER BY, parameters, maxItemCount + continuation tokens; partition key header ignored.
 * - If-Match on replace/upsert/delete (412), Create on existing id (409).
 */
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { startChildServer } from './childServer';

/** The Cosmos DB emulator's well-known key; public, not a secret. */
export const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosServer {
  endpoint: string;
  key: string;
  /** Set when the server runs as a child process. */
  pid?: number;
  stop(): Promise<void>;
}

/** In-process server: fast to start, but its data dies with this process. */
export async function startCosmos(): Promise<CosmosServer> {
  // keepAlive: without it the server answers `connection: close` and every call pays a TLS handshake.
  const server = createHttpsServer({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    key: COSMOS_EMULATOR_KEY,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Child-process server, so a host killed with SIGKILL does not lose the event store. */
export async function startCosmosProcess(opts: { port?: number } = {}): Promise<CosmosServer> {
  // Run from source under tsx (tests, dev) and from dist once compiled.
  const ext = extname(__filename);
  const server = await startChildServer({
    name: 'cosmosdb-server',
    script: join(__dirname, `cosmosServerMain${ext}`),
    nodeArgs: ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [],
    args: [String(opts.port ?? 0)],
    readyPatterns: [/^cosmos listening on (\d+)$/],
  });
  return {
    endpoint: `https://127.0.0.1:${server.captures[0]}/`,
    key: COSMOS_EMULATOR_KEY,
    pid: server.pid,
    stop: server.stop,
  };
}
