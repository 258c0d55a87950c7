/**
 * The devhost's host side: loads the app, serves HTTP triggers and the Durable HTTP API on the app
 * port, the DurableClient RPC endpoints on a second loopback port, and runs timer triggers.
 * The task hub (engine + store) is chosen by the caller, so tests can inject their own.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskHubApi } from '../durable/api';
import { createDurableHttpApi, type DurableHttpHandler } from './durableHttpApi';
import { durableClientBindingData, managementUrls, WEBHOOK_PATH, type DurableUrlContext } from './durableUrls';
import { createDevhostDashboard, DASHBOARD_PATH } from './dashboard';
import { createEventGridTriggerHandler, EVENT_GRID_WEBHOOK_PATH } from './eventGridTriggers';
import { formatFunctionList } from './functionList';
import { createHttpTriggerRouter } from './httpTriggers';
import { requestUrl, sendError, sendJson } from './httpUtil';
import { loadApp, type FunctionInfo, type LoadedApp } from './loadApp';
import { consoleLog, type HostLog } from './log';
import { createTimerScheduler, type TimerInfo } from './timers';
import { createSpanStore, startSpanCollector, type SpanStore } from './spanCollector';

export type HostedTaskHub = TaskHubApi & {
  start?(): unknown;
  stop?(): unknown;
  /** Engines that lease started activities report the effective lease in ms (for the startup banner). */
  readonly activityLeaseMs?: number;
};
export type TaskHubFactory = (app: LoadedApp) => HostedTaskHub | Promise<HostedTaskHub>;

export interface DevHostOptions {
  appDir: string;
  /** App port; default 7071, 0 = a free port. */
  port?: number;
  /** Port of the DurableClient RPC endpoints; default 0 (a free port). The extension uses 17071. */
  rpcPort?: number;
  /** Listen address for both servers; default 127.0.0.1. */
  host?: string;
  taskHub: HostedTaskHub | TaskHubFactory;
  /** Enforce keys for authLevel function/admin and the durable webhooks (func start does not). */
  requireKeys?: boolean;
  /** The key accepted when requireKeys is on; default a random one (see DevHost.masterKey). */
  masterKey?: string;
  log?: HostLog;
  maxBodyBytes?: number;
  /** Receive the app's spans over OTLP/HTTP on loopback (default true). */
  collectSpans?: boolean;
}

export interface DevHost {
  /** App origin, e.g. http://localhost:7071 */
  url: string;
  /** Public Durable HTTP API base, with trailing slash. */
  durableApiUrl: string;
  /** DurableClient RPC base, with trailing slash, e.g. http://127.0.0.1:17071/durabletask/ */
  rpcBaseUrl: string;
  port: number;
  rpcPort: number;
  functions: FunctionInfo[];
  timers: TimerInfo[];
  app: LoadedApp;
  taskHub: HostedTaskHub;
  masterKey?: string;
  /** Spans the app exported to the host's OTLP receiver (empty when collectSpans is false). */
  spans: SpanStore;
  /** The OTLP/HTTP traces endpoint the app exports to, when the host runs one. */
  otlpUrl?: string;
  /** The `Functions:` listing as func start prints it. */
  listing: string;
  stop(): Promise<void>;
}

export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const log = options.log ?? consoleLog;
  // Before the app loads: its tracer reads the endpoint once, at startup.
  const collector = options.collectSpans === false ? undefined : await startSpanCollector();
  const otlpEnv =
    collector && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (otlpEnv) process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = collector.url;
  const spans = collector?.store ?? createSpanStore(0);
  const app = await loadApp(options.appDir, { warn: (m) => log('warning', m) }).catch(async (e: unknown) => {
    await collector?.stop();
    throw e;
  });
  const taskHub = typeof options.taskHub === 'function' ? await options.taskHub(app) : options.taskHub;
  const masterKey = options.requireKeys ? (options.masterKey ?? randomBytes(24).toString('base64url')) : undefined;
  const listenHost = options.host ?? '127.0.0.1';

  // Known once both servers listen; requests cannot arrive before that.
  const link: { urls?: DurableUrlContext; rpcBaseUrl: string } = { rpcBaseUrl: '' };
  const currentUrls = (): DurableUrlContext => link.urls as DurableUrlContext;
  const clientData = (): unknown => durableClientBindingData(currentUrls(), link.rpcBaseUrl);
  const durable = createDurableHttpApi({ taskHub, urls: currentUrls, maxBodyBytes: options.maxBodyBytes, log });
  const router = createHttpTriggerRouter({
    functions: app.functions,
    registrations: app.registrations,
    routePrefix: app.config.routePrefix,
    durableClientData: clientData,
    requiredKey: masterKey,
    functionTimeoutMs: app.config.functionTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    httpStream: app.httpStream,
    log,
  });
  const eventGrid = createEventGridTriggerHandler({
    functions: app.functions,
    registrations: app.registrations,
    requiredKey: masterKey,
    functionTimeoutMs: app.config.functionTimeoutMs,
    log,
  });
  const timers = createTimerScheduler({
    functions: app.functions,
    registrations: app.registrations,
    durableClientData: clientData,
    functionTimeoutMs: app.config.functionTimeoutMs,
    log,
  });

  const dashboard = createDevhostDashboard({
    management: {
      createHttpManagementPayload: (id) => managementUrls(currentUrls(), id),
      startNew: (name, o) => taskHub.startNew(name, o),
    },
    spans,
  });

  const appServer = http.createServer((req, res) => void serve(res, log, () => serveApp(req, res)));
  const rpcServer = http.createServer((req, res) => void serve(res, log, () => serveRpc(req, res)));

  async function serveApp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestUrl(req).pathname;
    const lower = path.toLowerCase();
    if (lower.startsWith(`${WEBHOOK_PATH}/`) || lower === WEBHOOK_PATH) {
      if (masterKey && !hasKey(req, masterKey)) return void res.writeHead(401, { 'Content-Length': '0' }).end();
      return durable(req, res, path.slice(WEBHOOK_PATH.length + 1));
    }
    if (lower === EVENT_GRID_WEBHOOK_PATH) return eventGrid(req, res);
    if (lower === '/admin/host/status') return sendJson(res, 200, { state: 'Running', version: 'devhost' });
    if (lower === DASHBOARD_PATH || lower.startsWith(`${DASHBOARD_PATH}/`)) {
      if (masterKey && !hasKey(req, masterKey)) return void res.writeHead(401, { 'Content-Length': '0' }).end();
      return dashboard(req, res, path.slice(DASHBOARD_PATH.length + 1));
    }
    if (lower.startsWith('/_devhost/traces/')) {
      if (masterKey && !hasKey(req, masterKey)) return void res.writeHead(401, { 'Content-Length': '0' }).end();
      const id = path.slice('/_devhost/traces/'.length);
      if (!/^[0-9a-f]{32}$/i.test(id))
        return sendJson(
          res,
          400,
          { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'a trace id is 32 hex digits' },
          { 'Content-Type': 'application/problem+json' },
        );
      return sendJson(res, 200, { traceId: id.toLowerCase(), spans: spans.trace(id) });
    }
    if (lower === '/' && app.config.routePrefix !== '') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('Your Functions app is up and running (devhost).\n');
    }
    return router.handle(req, res);
  }

  async function serveRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestUrl(req).pathname;
    if (!path.startsWith('/durabletask/')) return sendError(res, 404, `Not a Durable RPC path: ${path}`);
    return (durable as DurableHttpHandler)(req, res, path.slice('/durabletask/'.length));
  }

  const port = await listen(appServer, options.port ?? 7071, listenHost);
  let rpcPort: number;
  try {
    rpcPort = await listen(rpcServer, options.rpcPort ?? 0, listenHost);
  } catch (e) {
    await close(appServer);
    throw e;
  }
  const url = `http://localhost:${port}`;
  const rpcBaseUrl = `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${rpcPort}/durabletask/`;
  link.rpcBaseUrl = rpcBaseUrl;
  link.urls = { webhookBase: `${url}${WEBHOOK_PATH}`, taskHubName: taskHub.taskHubName, code: masterKey };

  // getClient rewrites every management URL to localhost:7071 unless WEBSITE_HOSTNAME says otherwise (§9.1).
  const previousHostname = process.env.WEBSITE_HOSTNAME;
  const setHostname = port !== 7071;
  if (setHostname) process.env.WEBSITE_HOSTNAME = `localhost:${port}`;

  try {
    await taskHub.start?.();
  } catch (e) {
    await Promise.all([close(appServer), close(rpcServer)]);
    throw e;
  }
  timers.start();

  let stopping: Promise<void> | undefined;
  return {
    url,
    durableApiUrl: `${url}${WEBHOOK_PATH}/`,
    rpcBaseUrl,
    port,
    rpcPort,
    functions: app.functions,
    timers: timers.timers,
    app,
    taskHub,
    masterKey,
    spans,
    otlpUrl: collector?.url,
    listing: formatFunctionList(app.functions, router.routes, url, app.config.routePrefix),
    stop() {
      stopping ??= (async () => {
        await timers.stop();
        await Promise.all([close(appServer), close(rpcServer)]);
        await taskHub.stop?.();
        await collector?.stop();
        if (otlpEnv && process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT === collector?.url)
          delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
        if (setHostname && process.env.WEBSITE_HOSTNAME === `localhost:${port}`) {
          if (previousHostname === undefined) delete process.env.WEBSITE_HOSTNAME;
          else process.env.WEBSITE_HOSTNAME = previousHostname;
        }
      })();
      return stopping;
    },
  };
}

async function serve(res: ServerResponse, log: HostLog, handler: () => Promise<void>): Promise<void> {
  try {
    await handler();
  } catch (e) {
    log('error', `Request failed: ${(e as Error)?.stack ?? String(e)}`);
    if (!res.headersSent) sendError(res, 500, 'Internal server error.');
    else res.destroy();
  }
}

function hasKey(req: IncomingMessage, key: string): boolean {
  const given = requestUrl(req).searchParams.get('code') ?? req.headers['x-functions-key'];
  return given === key;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
