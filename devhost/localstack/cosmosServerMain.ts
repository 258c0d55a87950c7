/**
 * Entry of the out-of-process Cosmos stand-in (see startCosmosProcess): `node cosmosServerMain.js [port]`.
 * Prints `cosmos listening on <port>` once ready; exits on SIGTERM/SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

const server = createHttpsServer({ keepAlive: true });
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`cosmos listening on ${(server.address() as AddressInfo).port}\n`);
});
const shutdown = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
