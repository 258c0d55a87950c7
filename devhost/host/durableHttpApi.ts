/**
 * The Durable extension's HTTP API (HttpApiHandler, docs/DURABLE_PROTOCOL.md §9.2–§9.3) over a TaskHubApi.
 * The same handler serves the public webhook base (/runtime/webhooks/durabletask/) and the RPC base
 * that `df.getClient(context)` calls (rpcBaseUrl).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InstanceExistsError, type InstanceStatus, type ListFilter, type OperationResult, type RuntimeStatus, type TaskHubApi } from '../durable/api';
import { checkStatusPayload, type DurableUrlContext } from './durableUrls';
import { mediaType, PayloadTooLargeError, readBody, requestUrl, sendError, sendJson } from './httpUtil';

const RUNTIME_STATUSES: RuntimeStatus[] = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];
const IN_PROGRESS: RuntimeStatus[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
const RAISE_EVENT_GONE: RuntimeStatus[] = ['Failed', 'Canceled', 'Terminated', 'Completed'];

export interface DurableHttpApiOptions {
  taskHub: TaskHubApi;
  /** Link context for check-status payloads (public webhook base, task hub, key). */
  urls: () => DurableUrlContext;
  maxBodyBytes?: number;
  log?: (level: 'information' | 'warning' | 'error', message: string) => void;
}

/** Handles one request whose path below the API base is `subPath` (e.g. `instances/abc`). */
export type DurableHttpHandler = (req: IncomingMessage, res: ServerResponse, subPath: string) => Promise<void>;

class BadRequest extends Error {}

export function createDurableHttpApi(options: DurableHttpApiOptions): DurableHttpHandler {
  const { taskHub } = options;
  const log = options.log ?? (() => undefined);

  async function startOrchestration(req: IncomingMessage, res: ServerResponse, name: string, instanceId: string | undefined, query: URLSearchParams): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'Starting an orchestration requires POST.', { Allow: 'POST' });
    const known = taskHub.orchestratorNames().find((n) => n.toLowerCase() === name.toLowerCase());
    if (!known) return sendError(res, 400, `One or more of the arguments submitted is incorrect: the function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const input = parseJsonBody(await readBody(req, options.maxBodyBytes));
    let id: string;
    try {
      id = await taskHub.startNew(known, { instanceId, input, version: query.get('version') ?? undefined });
    } catch (e) {
      // The extension surfaces this as an error too; 409 says what happened.
      if (e instanceof InstanceExistsError) return sendError(res, 409, e.message);
      throw e;
    }
    const timeout = query.get('timeout');
    if (timeout !== null) {
      const finished = await waitForCompletion(id, seconds(timeout, 'timeout'), seconds(query.get('pollingInterval') ?? '1', 'pollingInterval'));
      if (finished) {
        return finished.runtimeStatus === 'Completed' ? sendJson(res, 200, finished.output ?? null) : sendJson(res, 200, statusPayload(finished));
      }
    }
    const payload = checkStatusPayload(options.urls(), id);
    sendJson(res, 202, payload, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
  }

  async function waitForCompletion(id: string, timeoutMs: number, intervalMs: number): Promise<InstanceStatus | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await taskHub.getStatus(id, { showInput: true });
      if (status && !IN_PROGRESS.includes(status.runtimeStatus)) return status;
      if (Date.now() + intervalMs > deadline) return undefined;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  async function getStatus(req: IncomingMessage, res: ServerResponse, id: string, query: URLSearchParams): Promise<void> {
    const status = await taskHub.getStatus(id, {
      showHistory: flag(query, 'showHistory', false),
      showHistoryOutput: flag(query, 'showHistoryOutput', false),
      showInput: flag(query, 'showInput', true),
    });
    if (!status) return sendError(res, 404, `No instance with ID '${id}' found.`);
    const body = statusPayload(status);
    if (IN_PROGRESS.includes(status.runtimeStatus)) {
      return sendJson(res, 202, body, { Location: requestUrl(req).href, 'Retry-After': '5' });
    }
    const failAs500 = status.runtimeStatus === 'Failed' && flag(query, 'returnInternalServerErrorOnFailure', false);
    sendJson(res, failAs500 ? 500 : 200, body);
  }

  async function list(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const filter: ListFilter = {
      runtimeStatus: statuses(query.get('runtimeStatus')),
      createdTimeFrom: isoDate(query.get('createdTimeFrom'), 'createdTimeFrom'),
      createdTimeTo: isoDate(query.get('createdTimeTo'), 'createdTimeTo'),
      instanceIdPrefix: query.get('instanceIdPrefix') ?? undefined,
      top: positiveInt(query.get('top'), 'top'),
      continuationToken: headerValue(req, 'x-ms-continuation-token') || undefined,
      showInput: flag(query, 'showInput', true),
    };
    const page = await taskHub.list(filter);
    const headers: Record<string, string> = page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {};
    sendJson(res, 200, page.items.map(statusPayload), headers);
  }

  async function purgeMany(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const createdTimeFrom = isoDate(query.get('createdTimeFrom'), 'createdTimeFrom');
    if (!createdTimeFrom) return sendError(res, 400, 'Purging by filter requires the createdTimeFrom query parameter.');
    const deleted = await taskHub.purgeBy({ createdTimeFrom, createdTimeTo: isoDate(query.get('createdTimeTo'), 'createdTimeTo'), runtimeStatus: statuses(query.get('runtimeStatus')) });
    if (deleted === 0) return sendError(res, 404, 'No instances matched the purge filter.');
    sendJson(res, 200, { instancesDeleted: deleted });
  }

  async function operation(req: IncomingMessage, res: ServerResponse, id: string, op: string, query: URLSearchParams): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, `${op} requires POST.`, { Allow: 'POST' });
    const reason = query.get('reason') ?? undefined;
    let result: OperationResult | 'notSupported';
    switch (op.toLowerCase()) {
      case 'terminate': result = await taskHub.terminate(id, reason); break;
      case 'suspend': result = await taskHub.suspend(id, reason); break;
      case 'resume': result = await taskHub.resume(id, reason); break;
      case 'rewind': result = await taskHub.rewind(id, reason); break;
      default: return sendError(res, 404, `Unknown instance operation '${op}'. Supported: terminate, suspend, resume, rewind, raiseEvent.`);
    }
    sendOperationResult(res, id, result, op);
  }

  async function raiseEvent(req: IncomingMessage, res: ServerResponse, id: string, eventName: string): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'raiseEvent requires POST.', { Allow: 'POST' });
    const status = await taskHub.getStatus(id, { showInput: false });
    if (!status) return sendError(res, 404, `No instance with ID '${id}' found.`);
    if (RAISE_EVENT_GONE.includes(status.runtimeStatus)) return sendError(res, 410, `The instance '${id}' is ${status.runtimeStatus} and can no longer receive events.`);
    const body = await readBody(req, options.maxBodyBytes);
    if (mediaType(req) !== 'application/json') return sendError(res, 400, "Only 'application/json' request content is supported for raiseEvent.");
    const data = parseJsonBody(body);
    sendOperationResult(res, id, await taskHub.raiseEvent(id, eventName, data), 'raiseEvent');
  }

  return async (req, res, subPath) => {
    const url = requestUrl(req);
    const query = url.searchParams;
    const parts = subPath.split('/').map(decodeSegment);
    const trailingSlash = subPath.endsWith('/');
    if (trailingSlash) parts.pop();
    try {
      const [area, a, b, c, ...rest] = parts;
      if (area === 'orchestrators' && a && rest.length === 0 && c === undefined) return await startOrchestration(req, res, a, b || undefined, query);
      if (area === 'instances' && rest.length === 0) {
        if (!a) {
          if (req.method === 'GET') return await list(req, res, query);
          if (req.method === 'DELETE') return await purgeMany(res, query);
          return sendError(res, 405, 'instances/ supports GET (list) and DELETE (purge).', { Allow: 'GET, DELETE' });
        }
        if (b === undefined) {
          if (req.method === 'GET') return await getStatus(req, res, a, query);
          if (req.method === 'DELETE') return sendPurgeOne(res, a, await taskHub.purge(a));
          return sendError(res, 405, 'instances/{id} supports GET (status) and DELETE (purge).', { Allow: 'GET, DELETE' });
        }
        if (b.toLowerCase() === 'raiseevent' && c) return await raiseEvent(req, res, a, c);
        if (c === undefined) return await operation(req, res, a, b, query);
      }
      if (area === 'entities') return sendError(res, 501, 'Durable entities are not supported by the devhost.');
      sendError(res, 404, `No Durable HTTP API route matches '${subPath}'.`);
    } catch (e) {
      if (e instanceof BadRequest) return sendError(res, 400, e.message);
      if (e instanceof PayloadTooLargeError) return sendError(res, 413, (e as Error).message);
      log('error', `Durable HTTP API ${req.method} ${subPath} failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendError(res, 500, (e as Error).message);
    }
  };
}

/** StatusResponsePayload with the extension's date format (no fractional seconds). */
export function statusPayload(status: InstanceStatus): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: status.output ?? null,
    createdTime: formatTime(status.createdTime),
    lastUpdatedTime: formatTime(status.lastUpdatedTime),
  };
  if (status.historyEvents) body.historyEvents = status.historyEvents;
  return body;
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sendOperationResult(res: ServerResponse, id: string, result: OperationResult | 'notSupported', op: string): void {
  if (result === 'accepted') return void res.writeHead(202, { 'Content-Length': '0' }).end();
  if (result === 'notFound') return sendError(res, 404, `No instance with ID '${id}' found.`);
  if (result === 'gone') return sendError(res, 410, `The instance '${id}' is in a state that does not allow ${op}.`);
  sendError(res, 501, `${op} is not supported by this task hub.`);
}

function sendPurgeOne(res: ServerResponse, id: string, deleted: number): void {
  if (deleted === 0) return sendError(res, 404, `No instance with ID '${id}' found.`);
  sendJson(res, 200, { instancesDeleted: deleted });
}

/** Empty body means "no input"; anything else must be JSON. */
function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new BadRequest(`Invalid JSON content: ${(e as Error).message}`);
  }
}

function flag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = query.get(name);
  if (v === null || v === '') return fallback;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new BadRequest(`Query parameter ${name} must be true or false, got '${v}'.`);
}

function statuses(text: string | null): RuntimeStatus[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((s) => {
    const found = RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.trim().toLowerCase());
    if (!found) throw new BadRequest(`Query parameter runtimeStatus has '${s}'; expected one of ${RUNTIME_STATUSES.join(', ')}.`);
    return found;
  });
}

function isoDate(text: string | null, name: string): string | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new BadRequest(`Query parameter ${name} must be a date/time, got '${text}'.`);
  return d.toISOString();
}

function positiveInt(text: string | null, name: string): number | undefined {
  if (!text) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BadRequest(`Query parameter ${name} must be a positive integer, got '${text}'.`);
  return n;
}

function seconds(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new BadRequest(`Query parameter ${name} must be a number of seconds, got '${text}'.`);
  return n * 1000;
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v ?? '';
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
