/**
 * Counts outgoing HTTP requests by server and kind at Node's http/https layer. The app builds its own
 * adapters from settings inside the devhost, so this is the one place every SDK call passes through.
 * (The external-service client uses fetch/undici and is not seen here; it is a fake, not our cost.)
 */
import http from 'node:http';
import https from 'node:https';

export type Counts = Record<string, number>;

export interface HttpCounter {
  /** Server name by port, e.g. { '10002': 'tables' }; requests to other ports are not counted. */
  watch(servers: Record<string, string>): void;
  /** The counts since the last take(), and a fresh start. */
  take(): Counts;
}

type Options = http.RequestOptions & { pathname?: string };

export function installHttpCounter(): HttpCounter {
  let servers: Record<string, string> = {};
  let counts: Counts = {};
  for (const mod of [http, https]) {
    const original = mod.request.bind(mod) as (...a: unknown[]) => http.ClientRequest;
    (mod as { request: unknown }).request = (...args: unknown[]): http.ClientRequest => {
      const first = args[0] as string | URL | Options;
      const opts: Options =
        typeof first === 'string' || first instanceof URL ? urlOptions(new URL(String(first))) : first;
      const extra = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as Options;
      const server = servers[String(extra.port ?? opts.port ?? '')];
      if (server) {
        const key = `${server} ${kindOf(server, (extra.method ?? opts.method ?? 'GET').toUpperCase(), { ...opts.headers, ...extra.headers } as Record<string, unknown>, String(extra.path ?? opts.path ?? ''))}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return original(...args);
    };
  }
  return {
    watch: (s) => (servers = s),
    take: () => {
      const c = counts;
      counts = {};
      return c;
    },
  };
}

function urlOptions(u: URL): Options {
  return { port: u.port, path: u.pathname + u.search, method: 'GET' };
}

/** Reads vs writes: Cosmos sends queries and transactional batches as POST, so its headers tell them apart. */
function kindOf(server: string, method: string, headers: Record<string, unknown>, path: string): string {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v).toLowerCase()]));
  if (server === 'cosmos') {
    // An ORDER BY query costs two requests: the gateway's query plan, then the query itself.
    if (method === 'POST' && h['x-ms-cosmos-is-query-plan-request'] === 'true') return 'query plan (read)';
    if (method === 'POST' && h['x-ms-documentdb-isquery'] === 'true') return 'query (read)';
    if (method === 'POST' && h['x-ms-documentdb-is-upsert'] === 'true') return 'upsert (write)';
    if (method === 'POST' && h['x-ms-cosmos-is-batch-request'] === 'true') return 'batch (write)';
    if (method === 'POST') return 'create (write)';
    if (method === 'GET') return 'read (read)';
    if (method === 'PUT') return 'replace (write)';
    if (method === 'DELETE') return 'delete (write)';
    return method;
  }
  if (server === 'tables') {
    const table = decodeURIComponent(path).includes('intake') ? 'intake' : 'taskhub';
    const kind =
      method === 'GET'
        ? 'query (read)'
        : method === 'POST' && path.includes('$batch')
          ? 'batch (write)'
          : `${method} (write)`;
    return `${table} ${kind}`;
  }
  return method;
}
