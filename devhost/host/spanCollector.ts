/**
 * The devhost's OTLP/HTTP trace receiver (JSON encoding, `POST /v1/traces`) on loopback. It keeps the
 * most recent spans in memory, indexed by trace, for the dashboard and for tests; the app it hosts
 * exports there (the host sets OTEL_EXPORTER_OTLP_TRACES_ENDPOINT unless the app's settings name one).
 * `GET /traces/{traceId}` on the same port reads one trace back (the dashboard's waterfall).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mediaType, readBody, requestUrl, sendJson } from './httpUtil';

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number;
  statusMessage?: string;
  service?: string;
}

export interface SpanStore {
  add(spans: CollectedSpan[]): void;
  trace(traceId: string): CollectedSpan[];
  /** Newest first. */
  recent(limit: number): CollectedSpan[];
  readonly size: number;
}

export function createSpanStore(capacity = 200_000): SpanStore {
  const byTrace = new Map<string, CollectedSpan[]>();
  const order: CollectedSpan[] = [];
  return {
    add(spans) {
      for (const s of spans) {
        order.push(s);
        const list = byTrace.get(s.traceId);
        if (list) list.push(s);
        else byTrace.set(s.traceId, [s]);
      }
      // Oldest out first, a trace at a time shrinking from the front.
      while (order.length > capacity) {
        const old = order.shift() as CollectedSpan;
        const list = byTrace.get(old.traceId);
        if (!list) continue;
        list.splice(list.indexOf(old), 1);
        if (list.length === 0) byTrace.delete(old.traceId);
      }
    },
    trace: (traceId) => [...(byTrace.get(traceId.toLowerCase()) ?? [])].sort((a, b) => a.startMs - b.startMs),
    recent: (limit) => order.slice(-limit).reverse(),
    get size() {
      return order.length;
    },
  };
}

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
};
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/** OTLP JSON → flat spans. Ids are hex in OTLP/JSON; anything malformed is dropped, not thrown. */
export function parseOtlpJson(body: unknown): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const rs of (body as OtlpExport)?.resourceSpans ?? []) {
    const service = attributesOf(rs.resource?.attributes)['service.name'];
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        if (!/^[0-9a-f]{32}$/i.test(s.traceId ?? '') || !/^[0-9a-f]{16}$/i.test(s.spanId ?? '')) continue;
        out.push({
          traceId: (s.traceId as string).toLowerCase(),
          spanId: (s.spanId as string).toLowerCase(),
          ...(s.parentSpanId && /^[0-9a-f]{16}$/i.test(s.parentSpanId)
            ? { parentSpanId: s.parentSpanId.toLowerCase() }
            : {}),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startMs: Number(BigInt(s.startTimeUnixNano ?? 0) / 1_000_000n),
          endMs: Number(BigInt(s.endTimeUnixNano ?? 0) / 1_000_000n),
          attributes: attributesOf(s.attributes),
          status: Number(s.status?.code ?? 0),
          ...(s.status?.message ? { statusMessage: s.status.message } : {}),
          ...(typeof service === 'string' ? { service } : {}),
        });
      }
    }
  }
  return out;
}

function attributesOf(
  list: { key: string; value: OtlpValue }[] | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value?.stringValue !== undefined) out[key] = value.stringValue;
    else if (value?.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value?.boolValue !== undefined) out[key] = value.boolValue;
    else if (value?.arrayValue)
      out[key] = (value.arrayValue.values ?? [])
        .map((v) => v.stringValue ?? String(v.intValue ?? v.doubleValue ?? v.boolValue ?? ''))
        .join(',');
  }
  return out;
}

export interface SpanCollector {
  /** e.g. http://127.0.0.1:41234/v1/traces */
  url: string;
  store: SpanStore;
  stop(): Promise<void>;
}

/** Accepts OTLP/HTTP JSON exports; answers 415 to protobuf (configure the exporter for JSON). */
export async function startSpanCollector(store: SpanStore = createSpanStore()): Promise<SpanCollector> {
  const server = http.createServer(
    (req, res) =>
      void receive(req, res, store).catch(() => {
        if (!res.headersSent) sendJson(res, 400, { error: 'unreadable export' });
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    store,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function receive(req: IncomingMessage, res: ServerResponse, store: SpanStore): Promise<void> {
  // Read side for the app's dashboard in local runs: one trace's spans.
  const traceId = /^\/traces\/([0-9a-f]{32})$/i.exec(requestUrl(req).pathname)?.[1];
  if (req.method === 'GET' && traceId)
    return sendJson(res, 200, { traceId: traceId.toLowerCase(), spans: store.trace(traceId) });
  if (req.method !== 'POST' || requestUrl(req).pathname !== '/v1/traces')
    return sendJson(res, 404, { error: 'POST /v1/traces only' });
  if (mediaType(req) !== 'application/json') {
    req.resume();
    return sendJson(res, 415, { error: 'this collector reads OTLP/HTTP JSON; set the exporter to http/json' });
  }
  const body = JSON.parse((await readBody(req, 16 * 1024 * 1024)).toString('utf8')) as unknown;
  store.add(parseOtlpJson(body));
  sendJson(res, 200, { partialSuccess: {} });
}
