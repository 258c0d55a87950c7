/**
 * The Durable extension's HTTP API (HttpApiHandler, docs/DURABLE_PROTOCOL.md §9.2–§9.3) over a TaskHubApi.
 * The same handler serves the public webhook base (/runtime/webhooks/durabletask/) and the RPC base
 * that `df.getClient(context)` calls (rpcBaseUrl).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  InstanceExistsError,
  InstanceNotFoundError,
  type InstanceStatus,
  type ListFilter,
  type OperationResult,
  type RuntimeStatus,
  type TaskHubApi,
} from '../durable/api';
import { handleEntityRequest } from './durableEntityApi';
import { QueryReader } from './durableQuery';
import { checkStatusPayload, type DurableUrlContext } from './durableUrls';
import { mediaType, PayloadTooLargeError, readBody, requestUrl, sendError, sendJson } from './httpUtil';

const IN_PROGRESS: RuntimeStatus[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
const FINISHED: RuntimeStatus[] = ['Failed', 'Canceled', 'Terminated', 'Completed'];
/** OrchestrationStatusQueryCondition.PageSize's default. */
export const DEFAULT_PAGE_SIZE = 100;

export interface DurableHttpApiOptions {
  taskHub: TaskHubApi;
  /** Link context for check-status payloads (public webhook base, task hub, key). */
  urls: () => DurableUrlContext;
  maxBodyBytes?: number;
  log?: (level: 'information' | 'warning' | 'error', message: string) => void;
}

/** Handles one request whose path below the API base is `subPath` (e.g. `instances/abc`). */
export type DurableHttpHandler = (req: IncomingMessage, res: ServerResponse, subPath: string) => Promise<void>;

export class BadRequest extends Error {}

export function createDurableHttpApi(options: DurableHttpApiOptions): DurableHttpHandler {
  const { taskHub } = options;
  const log = options.log ?? (() => undefined);
  const reader = (query: URLSearchParams): QueryReader => new QueryReader(query, (m) => log('warning', m));

  async function startOrchestration(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    instanceId: string | undefined,
    query: QueryReader,
  ): Promise<void> {
    const known = taskHub.orchestratorNames().find((n) => n.toLowerCase() === name.toLowerCase());
    if (!known) {
      // DurableTaskExtension.GetInvalidOrchestratorFunctionMessage.
      const names = taskHub.orchestratorNames();
      const info = names.length
        ? `The following are the known orchestrator functions: '${names.join("', '")}'.`
        : 'No orchestrator functions are currently registered!';
      return sendError(
        res,
        400,
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ${info}`,
      );
    }
    const input = parseJsonBody(await readBody(req, options.maxBodyBytes));
    let id: string;
    try {
      id = await taskHub.startNew(known, { instanceId, input, version: query.string('version') });
    } catch (e) {
      // OrchestrationAlreadyExistsException → 409 (HandleStartOrchestratorRequestAsync).
      if (e instanceof InstanceExistsError) return sendError(res, 409, e.message);
      throw e;
    }
    await answerStarted(req, res, id, query);
  }

  /** 202 with links, or with both timeout and pollingInterval, wait first (WaitForCompletionOrCreateCheckStatusResponseAsync). */
  async function answerStarted(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    query: QueryReader,
  ): Promise<void> {
    const timeoutMs = query.seconds('timeout');
    const intervalMs = query.seconds('pollingInterval');
    if (timeoutMs !== undefined && intervalMs !== undefined) {
      if (intervalMs > timeoutMs) {
        return sendError(
          res,
          400,
          `Total timeout ${timeoutMs / 1000} should be bigger than retry timeout ${intervalMs / 1000}`,
        );
      }
      const finished = await waitForCompletion(id, timeoutMs, intervalMs);
      if (finished?.runtimeStatus === 'Completed') return sendJson(res, 200, finished.output ?? null);
      if (finished) return getStatus(req, res, id, query, false);
    }
    const payload = checkStatusPayload(options.urls(), id);
    sendJson(res, 202, payload, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
  }

  async function waitForCompletion(
    id: string,
    timeoutMs: number,
    intervalMs: number,
  ): Promise<InstanceStatus | undefined> {
    const started = Date.now();
    for (;;) {
      const status = await taskHub.getStatus(id, { showInput: true });
      if (status && FINISHED.includes(status.runtimeStatus)) return status;
      const elapsed = Date.now() - started;
      if (elapsed >= timeoutMs) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(intervalMs, timeoutMs - elapsed)));
    }
  }

  async function getStatus(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    query: QueryReader,
    failAs500?: boolean,
  ): Promise<void> {
    const status = await taskHub.getStatus(id, {
      showHistory: query.flag('showHistory', false),
      showHistoryOutput: query.flag('showHistoryOutput', false),
      showInput: query.flag('showInput', true),
    });
    if (!status) return sendError(res, 404, `No instance with ID '${id}' found.`);
    const body = statusPayload(status);
    if (IN_PROGRESS.includes(status.runtimeStatus)) {
      return sendJson(res, 202, body, { Location: requestUrl(req).href, 'Retry-After': '5' });
    }
    const as500 =
      status.runtimeStatus === 'Failed' && (failAs500 ?? query.flag('returnInternalServerErrorOnFailure', false));
    sendJson(res, as500 ? 500 : 200, body);
  }

  async function list(req: IncomingMessage, res: ServerResponse, query: QueryReader): Promise<void> {
    const top = query.int('top');
    const filter: ListFilter = {
      runtimeStatus: query.statuses('runtimeStatus'),
      createdTimeFrom: query.date('createdTimeFrom'),
      createdTimeTo: query.date('createdTimeTo'),
      instanceIdPrefix: query.string('instanceIdPrefix'),
      top: top !== undefined && top > 0 ? top : DEFAULT_PAGE_SIZE,
      continuationToken: headerValue(req, 'x-ms-continuation-token') || undefined,
      showInput: query.flag('showInput', true),
    };
    if (top !== undefined && top <= 0)
      log(
        'warning',
        `Durable HTTP API: query parameter top=${top} is not a positive page size; using ${DEFAULT_PAGE_SIZE}.`,
      );
    const page = await taskHub.list(filter);
    // The extension always sets the header; it is empty on the last page.
    sendJson(res, 200, page.items.map(statusPayload), { 'x-ms-continuation-token': page.continuationToken ?? '' });
  }

  async function purgeMany(res: ServerResponse, query: QueryReader): Promise<void> {
    const createdTimeFrom = query.date('createdTimeFrom');
    if (!createdTimeFrom) return sendError(res, 400, "Please provide value for 'createdTimeFrom' parameter.");
    const deleted = await taskHub.purgeBy({
      createdTimeFrom,
      createdTimeTo: query.date('createdTimeTo'),
      runtimeStatus: query.statuses('runtimeStatus'),
    });
    if (deleted === 0) return sendError(res, 404, 'No instances matched the purge filter.');
    sendJson(res, 200, { instancesDeleted: deleted });
  }

  async function purgeOne(res: ServerResponse, id: string): Promise<void> {
    // Entities ('@…') are purged without the status check (HandleDeleteHistoryByIdRequestAsync).
    if (!id.startsWith('@')) {
      const status = await taskHub.getStatus(id, { showInput: false });
      if (!status) return sendError(res, 404, `No instance with ID '${id}' found.`);
      if (!FINISHED.includes(status.runtimeStatus)) {
        return sendError(
          res,
          412,
          `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${id} has status ${status.runtimeStatus}`,
        );
      }
    }
    const deleted = await taskHub.purge(id);
    if (deleted === 0) return sendError(res, 404, `No instance with ID '${id}' found.`);
    sendJson(res, 200, { instancesDeleted: deleted });
  }

  async function operation(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    op: string,
    query: QueryReader,
  ): Promise<boolean> {
    const reason = query.string('reason');
    switch (op.toLowerCase()) {
      case 'terminate':
        sendOperationResult(res, id, await taskHub.terminate(id, reason), op);
        return true;
      case 'suspend':
        sendOperationResult(res, id, await taskHub.suspend(id, reason), op);
        return true;
      case 'resume':
        sendOperationResult(res, id, await taskHub.resume(id, reason), op);
        return true;
      case 'rewind':
        await rewind(res, id, reason);
        return true;
      case 'restart':
        await restart(req, res, id, query);
        return true;
      default:
        return false;
    }
  }

  /** HandleRewindInstanceRequestAsync: 404 unknown, 412 unless Failed, 501 when the store cannot rewind it. */
  async function rewind(res: ServerResponse, id: string, reason: string | undefined): Promise<void> {
    const status = await taskHub.getStatus(id, { showInput: false });
    if (!status) return sendError(res, 404, `No orchestration with instance ID "${id}" found.`);
    if (status.runtimeStatus !== 'Failed') {
      return sendError(
        res,
        412,
        `This orchestration has status ${status.runtimeStatus}, but only orchestrations in the "Failed" state can be rewound.`,
      );
    }
    sendOperationResult(res, id, await taskHub.rewind(id, reason), 'rewind');
  }

  /** HandleRestartInstanceRequestAsync: a new id unless restartWithNewInstanceId=false; 400 unknown, 409 running. */
  async function restart(req: IncomingMessage, res: ServerResponse, id: string, query: QueryReader): Promise<void> {
    let newId: string;
    try {
      newId = await taskHub.restart(id, { newInstanceId: query.flag('restartWithNewInstanceId', true) });
    } catch (e) {
      if (e instanceof InstanceNotFoundError)
        return sendError(res, 400, `InstanceId does not match a valid orchestration instance. ${e.message}`);
      if (e instanceof InstanceExistsError)
        return sendError(res, 409, `A non-terminal instance with this instance ID already exists. ${e.message}`);
      throw e;
    }
    await answerStarted(req, res, newId, query);
  }

  async function raiseEvent(req: IncomingMessage, res: ServerResponse, id: string, eventName: string): Promise<void> {
    const status = await taskHub.getStatus(id, { showInput: false });
    if (!status) return sendError(res, 404, `No instance with ID '${id}' found.`);
    if (FINISHED.includes(status.runtimeStatus))
      return sendError(res, 410, `The instance '${id}' is ${status.runtimeStatus} and can no longer receive events.`);
    const body = await readBody(req, options.maxBodyBytes);
    if (mediaType(req) !== 'application/json')
      return sendError(res, 400, "Only 'application/json' request content is supported for raiseEvent.");
    const data = parseJsonBody(body);
    sendOperationResult(res, id, await taskHub.raiseEvent(id, eventName, data), 'raiseEvent');
  }

  /** Routes as HttpApiHandler.HandleRequestAsync matches them; a known route with the wrong method is 404 there too. */
  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    query: QueryReader,
  ): Promise<boolean> {
    const [area, a, b, c, ...rest] = parts;
    const method = req.method ?? 'GET';
    if (area === 'orchestrators' && a && c === undefined) {
      if (method !== 'POST') return false;
      await startOrchestration(req, res, a, b || undefined, query);
      return true;
    }
    if (area === 'entities' && c === undefined) {
      return handleEntityRequest({ taskHub, log, maxBodyBytes: options.maxBodyBytes }, req, res, a, b, query);
    }
    if (area !== 'instances' || rest.length > 0) return false;
    if (!a) {
      if (b !== undefined) return false;
      if (method === 'GET') await list(req, res, query);
      else if (method === 'DELETE') await purgeMany(res, query);
      else return false;
      return true;
    }
    if (b === undefined) {
      if (method === 'GET') await getStatus(req, res, a, query);
      else if (method === 'DELETE') await purgeOne(res, a);
      else return false;
      return true;
    }
    if (method !== 'POST') return false;
    if (c === undefined) return operation(req, res, a, b, query);
    if (b.toLowerCase() === 'raiseevent') {
      await raiseEvent(req, res, a, c);
      return true;
    }
    return false;
  }

  return async (req, res, subPath) => {
    const query = reader(requestUrl(req).searchParams);
    // The extension URL-decodes the path (WebUtility.UrlDecode, '+' included) and trims slashes before matching.
    const parts = subPath
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map(decodeSegment);
    try {
      if (!(await route(req, res, parts, query))) {
        sendError(res, 404, `No Durable HTTP API route matches ${req.method} '${subPath}'.`);
      }
    } catch (e) {
      if (e instanceof BadRequest) return sendError(res, 400, e.message);
      if (e instanceof PayloadTooLargeError) return sendError(res, 413, (e as Error).message);
      log('error', `Durable HTTP API ${req.method} ${subPath} failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent)
        sendError(res, 500, `Something went wrong while processing your request: ${(e as Error).message}`);
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

function sendOperationResult(
  res: ServerResponse,
  id: string,
  result: OperationResult | 'notSupported',
  op: string,
): void {
  if (result === 'accepted') return void res.writeHead(202, { 'Content-Length': '0' }).end();
  if (result === 'notFound') return sendError(res, 404, `No instance with ID '${id}' found.`);
  if (result === 'gone') return sendError(res, 410, `The instance '${id}' is in a state that does not allow ${op}.`);
  sendError(res, 501, `${op} is not supported by this task hub.`);
}

/** Empty body means "no input"; anything else must be JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new BadRequest(`Invalid JSON content: ${(e as Error).message}`);
  }
}

export function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

function decodeSegment(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}
