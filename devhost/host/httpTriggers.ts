/**
 * HTTP triggers: routes `/<routePrefix>/<route>` to functions, turns the request into the worker's
 * RpcHttpData, and the function's `{http}` result back into an HTTP response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registration, RpcHttpData } from '../functions/types';
import { readBody, PayloadTooLargeError, requestUrl, sendError, DEFAULT_MAX_BODY_BYTES } from './httpUtil';
import { HTTP_STREAM_WARNING, type FunctionInfo } from './loadApp';
import type { HostLog } from './log';
import { parseRoute, type RouteTemplate } from './routes';
import { runFunction } from './runFunction';

export interface HttpRoute {
  functionName: string;
  /** Upper-case methods; empty = any method. */
  methods: string[];
  authLevel: string;
  /** Route template below the prefix, e.g. `items/{id?}`. */
  route: string;
  template: RouteTemplate;
}

export interface HttpTriggerRouterOptions {
  functions: FunctionInfo[];
  registrations: Map<string, Registration>;
  routePrefix: string;
  /** Binding data for functions with a durableClient input. */
  durableClientData: () => unknown;
  /** When set, authLevel function/admin needs this key in `code` or `x-functions-key`. */
  requiredKey?: string;
  functionTimeoutMs?: number;
  maxBodyBytes?: number;
  /** The app asked for HTTP streams, which the devhost does not serve: matched routes answer 501. */
  httpStream?: boolean;
  log: HostLog;
}

export interface HttpTriggerRouter {
  routes: HttpRoute[];
  /** Serves a request whose path is under the route prefix; answers 404 when nothing matches. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createHttpTriggerRouter(options: HttpTriggerRouterOptions): HttpTriggerRouter {
  const routes = options.functions
    .filter((f) => f.triggerType.toLowerCase() === 'httptrigger')
    .map((f): HttpRoute => {
      const route = typeof f.trigger.route === 'string' && f.trigger.route !== '' ? f.trigger.route : f.name;
      return {
        functionName: f.name,
        methods: (f.trigger.methods ?? []).map((m) => m.toUpperCase()),
        authLevel: String(f.trigger.authLevel ?? 'function').toLowerCase(),
        route,
        template: parseRoute(route),
      };
    })
    .sort((a, b) => precedence(a.route) - precedence(b.route));
  const prefix = options.routePrefix ? `/${options.routePrefix}` : '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const lowerPath = path.toLowerCase();
    if (prefix && lowerPath !== prefix.toLowerCase() && !lowerPath.startsWith(`${prefix.toLowerCase()}/`))
      return notFound(res);
    const below = path.slice(prefix.length);
    let matched: { route: HttpRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.methods.length > 0 && !route.methods.includes(method)) continue;
      const params = route.template.match(below);
      if (params) {
        matched = { route, params };
        break;
      }
    }
    if (!matched) return notFound(res);
    // The worker would wait for a proxied stream that never comes: answer instead of hanging.
    if (options.httpStream) return sendError(res, 501, HTTP_STREAM_WARNING.replace(/^Warning: /, ''));
    const { route, params } = matched;
    if (options.requiredKey && (route.authLevel === 'function' || route.authLevel === 'admin')) {
      const given = url.searchParams.get('code') ?? header(req, 'x-functions-key');
      if (given !== options.requiredKey) return void res.writeHead(401, { 'Content-Length': '0' }).end();
    }
    let body: Buffer;
    try {
      body = await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof PayloadTooLargeError) return sendError(res, 413, e.message);
      throw e;
    }
    const info = options.functions.find((f) => f.name === route.functionName) as FunctionInfo;
    const reg = options.registrations.get(route.functionName) as Registration;
    const http: RpcHttpData = {
      method,
      url: url.href,
      headers: headers(req),
      query: query(url.searchParams),
      params,
      ...(body.length > 0 ? { body: { bytes: new Uint8Array(body.buffer, body.byteOffset, body.length) } } : {}),
    };
    let result: { returnValue: unknown; outputData: { name: string; data: unknown }[] };
    try {
      result = await runFunction(reg, {
        trigger: { http },
        reason: `This function was programmatically called via the host APIs.`,
        durableClientData: info.usesDurableClient ? options.durableClientData() : undefined,
        timeoutMs: options.functionTimeoutMs,
        log: options.log,
      });
    } catch {
      // The host hides the error from the caller; the log has it.
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' }).end();
      return;
    }
    writeResponse(res, findHttpResult(result));
  }

  return { routes, handle };
}

/** Literal segments beat parameters, which beat optional ones, which beat catch-alls (ASP.NET order). */
function precedence(route: string): number {
  const segs = route.replace(/^\/+|\/+$/g, '').split('/');
  let score = 0;
  segs.forEach((s, i) => {
    const weight = s.startsWith('{*') ? 4 : s.endsWith('?}') ? 3 : s.startsWith('{') ? (s.includes(':') ? 1 : 2) : 0;
    score += weight * Math.pow(5, Math.max(0, 8 - i));
  });
  return score;
}

function findHttpResult(result: {
  returnValue: unknown;
  outputData: { name: string; data: unknown }[];
}): RpcHttpData | undefined {
  const fromReturn = (result.returnValue as { http?: RpcHttpData } | undefined)?.http;
  if (fromReturn) return fromReturn;
  for (const out of result.outputData) {
    const http = (out.data as { http?: RpcHttpData } | undefined)?.http;
    if (http) return http;
  }
  return undefined;
}

function writeResponse(res: ServerResponse, http: RpcHttpData | undefined): void {
  if (!http) {
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? 200);
  const body = bodyBytes(http.body);
  const outHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) outHeaders[name] = value;
  const cookies = (http.cookies ?? []).map((c) => setCookie(c as RpcCookie));
  if (cookies.length > 0) {
    const existing = outHeaders['set-cookie'];
    outHeaders['set-cookie'] = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      ...cookies,
    ];
  }
  // Node computes Content-Length itself; a stale one from the handler would corrupt the response.
  delete outHeaders['content-length'];
  delete outHeaders['transfer-encoding'];
  res.writeHead(status, { ...outHeaders, 'Content-Length': String(body.length) });
  res.end(body);
}

function bodyBytes(body: unknown): Buffer {
  if (!body) return Buffer.alloc(0);
  const b = body as { bytes?: Uint8Array; string?: string; json?: string };
  if (b.bytes) return Buffer.from(b.bytes);
  if (typeof b.string === 'string') return Buffer.from(b.string, 'utf8');
  if (typeof b.json === 'string') return Buffer.from(b.json, 'utf8');
  return Buffer.alloc(0);
}

interface Nullable<T> {
  value?: T;
}
interface RpcCookie {
  name: string;
  value: string;
  domain?: Nullable<string>;
  path?: Nullable<string>;
  expires?: Nullable<{ seconds: number }>;
  secure?: Nullable<boolean>;
  httpOnly?: Nullable<boolean>;
  sameSite?: string;
  maxAge?: Nullable<number>;
}

function setCookie(c: RpcCookie): string {
  const parts = [`${c.name}=${c.value}`];
  if (c.domain?.value) parts.push(`Domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`Path=${c.path.value}`);
  if (c.expires?.value) parts.push(`Expires=${new Date(c.expires.value.seconds * 1000).toUTCString()}`);
  if (c.maxAge?.value !== undefined) parts.push(`Max-Age=${c.maxAge.value}`);
  if (c.secure?.value) parts.push('Secure');
  if (c.httpOnly?.value) parts.push('HttpOnly');
  if (c.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (c.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (c.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function headers(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  return out;
}

/** Repeated query keys are joined with commas, as the host's dictionary conversion does. */
function query(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(params.keys())) out[key] = params.getAll(key).join(',');
  return out;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Length': '0' }).end();
}
