/**
 * A loopback HTTP proxy in front of Azurite's table endpoint that lets a given number of
 * transactions ($batch requests) through and then refuses everything, the way a process that dies
 * between two writes would leave storage: every write before the cut landed, none after. It also
 * counts reads and writes, and can hold back the answer to a matching request until released (to
 * order a read against a write without timing).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AzuriteServers, startAzurite } from '@saga/devhost/localstack';

export interface CutProxy {
  /** Connection string whose TableEndpoint goes through the proxy. */
  connectionString: string;
  /** Lets `n` more transactions through, then refuses every request. */
  cutAfterTransactions(n: number): void;
  /** Requests since the last call: GETs (point reads and queries) and everything else (writes). */
  takeCounts(): { reads: number; writes: number };
  /** Holds the answer to the next request whose decoded URL contains `text`; resolves once one is held. */
  holdNext(text: string): { held: Promise<void>; release(): void };
  stop(): Promise<void>;
}

export async function startCutProxy(connectionString: string): Promise<CutProxy> {
  const endpoint = new URL(/TableEndpoint=([^;]+)/.exec(connectionString)![1]!);
  let allowed = Infinity;
  let counts = { reads: 0, writes: 0 };
  let hold: { text: string; onHeld: () => void; gate: Promise<void> } | undefined;
  const server = http.createServer((req, res) => {
    const isBatch = req.method === 'POST' && (req.url ?? '').includes('$batch');
    if (req.method === 'GET') counts.reads++;
    else counts.writes++;
    let gate = Promise.resolve();
    if (hold && decodeURIComponent(req.url ?? '').includes(hold.text)) {
      gate = hold.gate;
      hold.onHeld();
      hold = undefined;
    }
    if (allowed <= 0) {
      req.resume();
      res.writeHead(403, { 'content-type': 'text/plain' }).end('cut: the writer died here');
      return;
    }
    if (isBatch) allowed -= 1;
    const upstream = http.request(
      { host: endpoint.hostname, port: endpoint.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        void gate.then(() => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = new URL(endpoint.href);
  proxied.host = `127.0.0.1:${port}`;
  return {
    connectionString: connectionString.replace(
      /TableEndpoint=[^;]+/,
      `TableEndpoint=${proxied.href.replace(/\/$/, '')}`,
    ),
    cutAfterTransactions(n) {
      allowed = n;
    },
    takeCounts() {
      const c = counts;
      counts = { reads: 0, writes: 0 };
      return c;
    },
    holdNext(text) {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const held = new Promise<void>((onHeld) => (hold = { text, onHeld, gate }));
      return { held, release };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Azurite with a proxy in front for the enclosing mocha suite (started before it, stopped after it). */
export function proxiedAzurite(): { readonly proxy: CutProxy } {
  let azurite: AzuriteServers | undefined;
  let proxy: CutProxy | undefined;
  before(async () => {
    azurite = await startAzurite();
    proxy = await startCutProxy(azurite.connectionString);
  });
  after(async () => {
    await proxy?.stop();
    await azurite?.stop();
  });
  return {
    get proxy(): CutProxy {
      if (!proxy) throw new Error('Azurite and its proxy start in the suite before() hook');
      return proxy;
    },
  };
}
