/**
 * A loopback proxy in front of a local server that injects faults on demand: error statuses, connection
 * resets and latency. For http targets it works per request. For https targets it passes TCP through,
 * so faults apply per connection and only `reset` and latency are possible, unless it is given a
 * certificate to terminate TLS with (the emulator's own public development certificate): then it
 * works per request there too, e.g. answering Cosmos requests 429.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** HTTP status to answer with (http targets only), e.g. 503 or 429. */
  status?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Retry-After header sent with `status`. */
  retryAfterSeconds?: number;
  /** More headers sent with `status`, e.g. Cosmos's `x-ms-retry-after-ms`. */
  headers?: Record<string, string>;
}

export interface FaultProxyOptions {
  /** Terminate TLS for an https target with this certificate, so faults apply per request. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface FaultProxyStats {
  /** Requests (http) or connections (https) seen. */
  seen: number;
  failed: number;
  forwarded: number;
}

export interface FaultProxy {
  /** The target URL with host and port swapped for the proxy's. */
  url: string;
  /** Fails the next n requests (connections for https targets). */
  failNext(n: number, fault: Fault): void;
  /** Fails everything for the next `ms` milliseconds. */
  failFor(ms: number, fault: Fault): void;
  /** Fails every n-th request from now on (0 stops it), e.g. steady throttling. */
  failEvery(n: number, fault: Fault): void;
  /** Delays every forwarded request (connection) by `ms`. */
  addLatency(ms: number): void;
  clear(): void;
  stats(): FaultProxyStats;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(targetUrl.hostname)) {
    throw new Error(`fault proxy target must be on loopback, got ${target}`);
  }
  const secure = targetUrl.protocol === 'https:';
  const terminating = secure && options.tls !== undefined;
  // Verification is relaxed only towards the loopback target checked above (the emulator's self-signed certificate).
  const upstreamAgent = terminating ? new https.Agent({ keepAlive: true, rejectUnauthorized: false }) : undefined;
  const targetPort = Number(targetUrl.port || (secure ? 443 : 80));
  const targetHost = targetUrl.hostname.replace(/^\[|\]$/g, '');

  let remaining = 0;
  let nextFault: Fault = {};
  let windowEnds = 0;
  let windowFault: Fault = {};
  let latencyMs = 0;
  let every = 0;
  let everyFault: Fault = {};
  const counts: FaultProxyStats = { seen: 0, failed: 0, forwarded: 0 };

  const faultNow = (): Fault | undefined => {
    if (remaining > 0) {
      remaining -= 1;
      return nextFault;
    }
    if (Date.now() < windowEnds) return windowFault;
    return every > 0 && counts.seen % every === 0 ? everyFault : undefined;
  };
  const checkFault = (f: Fault): void => {
    if (!f.reset && f.status === undefined) throw new Error('a fault needs `status` or `reset: true`');
    if (secure && !terminating && !f.reset)
      throw new Error(
        'https targets are passed through as TCP unless the proxy has a certificate: only `reset` faults are possible',
      );
  };
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const perRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    counts.seen += 1;
    const fault = faultNow();
    if (fault) {
      counts.failed += 1;
      req.resume();
      if (fault.reset) {
        req.socket.resetAndDestroy();
        return;
      }
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', ...fault.headers };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status ?? 503, headers);
      res.end(
        JSON.stringify({
          code: fault.status === 429 ? 'TooManyRequests' : 'InjectedFault',
          message: 'fault injected by the local fault proxy',
        }),
      );
      return;
    }
    counts.forwarded += 1;
    setTimeout(() => {
      const request = terminating ? https.request : http.request;
      const upstream = request(
        {
          host: targetHost,
          port: targetPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: upstreamAgent,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    }, latencyMs);
  };

  const server = terminating
    ? https.createServer({ cert: options.tls!.cert, key: options.tls!.key }, perRequest)
    : secure
      ? net.createServer((client) => {
          counts.seen += 1;
          const fault = faultNow();
          if (fault) {
            counts.failed += 1;
            client.resetAndDestroy();
            return;
          }
          counts.forwarded += 1;
          setTimeout(() => {
            const upstream = net.connect(targetPort, targetHost);
            track(upstream);
            client.pipe(upstream).pipe(client);
            upstream.on('error', () => client.destroy());
            client.on('error', () => upstream.destroy());
          }, latencyMs);
        })
      : http.createServer(perRequest);
  server.on('connection', track);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    // Keeps the target's path, so a proxied Azurite URL still names its account.
    url: `${targetUrl.protocol}//127.0.0.1:${port}${targetUrl.pathname.replace(/\/$/, '')}`,
    failNext(n, fault) {
      checkFault(fault);
      remaining = n;
      nextFault = fault;
    },
    failFor(ms, fault) {
      checkFault(fault);
      windowEnds = Date.now() + ms;
      windowFault = fault;
    },
    failEvery(n, fault) {
      if (n > 0) checkFault(fault);
      every = n;
      everyFault = fault;
    },
    addLatency(ms) {
      latencyMs = ms;
    },
    clear() {
      remaining = 0;
      windowEnds = 0;
      latencyMs = 0;
      every = 0;
    },
    stats: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        upstreamAgent?.destroy();
        server.close(() => resolve());
      }),
  };
}
