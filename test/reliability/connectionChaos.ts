/**
 * A TCP relay in front of the Cosmos emulator that breaks connections the way a flaky network or a
 * gateway failover does. The fault proxy can only refuse new connections, but the Cosmos client keeps
 * its TLS connections alive, so the useful fault is cutting the ones already open, mid-request.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ConnectionChaos {
  /** https://127.0.0.1:port/ — TLS passes through untouched. */
  url: string;
  /** Resets every open connection now, whatever it is doing. */
  cutAll(): number;
  /** Resets new connections for `ms`. */
  refuseFor(ms: number): void;
  /** Delay before each new connection is relayed. */
  setLatency(ms: number): void;
  stats(): { connections: number; cut: number; refused: number };
  stop(): Promise<void>;
}

export async function startConnectionChaos(target: string): Promise<ConnectionChaos> {
  const t = new URL(target);
  if (t.hostname !== '127.0.0.1' && t.hostname !== 'localhost')
    throw new Error(`connection chaos target must be on loopback, got ${target}`);
  const open = new Set<net.Socket>();
  const counts = { connections: 0, cut: 0, refused: 0 };
  let refuseUntil = 0;
  let latencyMs = 0;

  const server = net.createServer((client) => {
    counts.connections += 1;
    if (Date.now() < refuseUntil) {
      counts.refused += 1;
      client.resetAndDestroy();
      return;
    }
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    setTimeout(() => {
      if (client.destroyed) return;
      const upstream = net.connect(Number(t.port), t.hostname);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    }, latencyMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/`,
    cutAll() {
      const n = open.size;
      for (const s of open) s.resetAndDestroy();
      counts.cut += n;
      return n;
    },
    refuseFor(ms) {
      refuseUntil = Date.now() + ms;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    stats: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
