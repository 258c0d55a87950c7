/**
 * The dashboard for any app the devhost runs, at /_devhost/dashboard: every orchestration in the task
 * hub with its history and the Durable API's operator actions, and the traces the host received. (An
 * app with its own request projection, like this repo's, also serves the full dashboard itself.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ACTIONS,
  getInstance,
  instanceIdOf,
  instanceListQuery,
  listInstances,
  runAction,
  type DurableManagement,
  type InstanceAction,
} from '../../dashboard/server/instances';
import { dashboardAsset, dashboardPage, type Served } from '../../dashboard/server/page';
import { badRequest, notFound, Problem, rejectUnknown } from '../../dashboard/server/problem';
import { timelineOf } from '../../dashboard/server/timeline';
import { readBody, requestUrl, sendJson } from './httpUtil';
import type { SpanStore } from './spanCollector';

export const DASHBOARD_PATH = '/_devhost/dashboard';

export function createDevhostDashboard(opts: {
  management: DurableManagement;
  spans: SpanStore;
}): (req: IncomingMessage, res: ServerResponse, rest: string) => Promise<void> {
  const json = async (req: IncomingMessage, rest: string, url: URL): Promise<unknown> => {
    // Path parameters of the routes below (absent when the route does not match).
    const [, traceId] = /^api\/traces\/([^/]*)$/.exec(rest) ?? [];
    const [, instanceId] = /^api\/instances\/([^/]*)$/.exec(rest) ?? [];
    const [, actionId, action] = /^api\/instances\/([^/]*)\/([^/]*)$/.exec(rest) ?? [];
    if (rest === 'api/instances' && req.method === 'GET')
      return listInstances(opts.management, instanceListQuery(url.searchParams));
    if (traceId !== undefined && req.method === 'GET') {
      rejectUnknown(url.searchParams, []);
      if (!/^[0-9a-f]{32}$/i.test(traceId))
        throw badRequest(`'${traceId.slice(0, 80)}' is not a trace id (32 hex digits)`, 'traceId');
      return { traceId: traceId.toLowerCase(), spans: opts.spans.trace(traceId) };
    }
    if (instanceId !== undefined && req.method === 'GET') {
      rejectUnknown(url.searchParams, []);
      const status = await getInstance(opts.management, instanceIdOf(decode(instanceId)));
      const history = status.historyEvents ?? [];
      return { ...status, historyEvents: undefined, history, timeline: timelineOf(history) };
    }
    if (actionId !== undefined && action !== undefined && req.method === 'POST') {
      rejectUnknown(url.searchParams, []);
      const id = instanceIdOf(decode(actionId));
      if (!(ACTIONS as readonly string[]).includes(action))
        throw badRequest(`'${action.slice(0, 40)}' is not an action; one of ${ACTIONS.join(', ')}`, 'action');
      const body = await readObject(req);
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, 500) : `${action} from the dashboard`;
      return runAction(opts.management, id, action as InstanceAction, {
        reason,
        eventName: typeof body.eventName === 'string' ? body.eventName : undefined,
        eventData: body.eventData,
      });
    }
    throw notFound(`no dashboard route ${req.method} ${rest}`);
  };

  return async (req, res, rest) => {
    const url = requestUrl(req);
    try {
      if (rest === '' && req.method === 'GET') return send(res, dashboardPage(url, { requests: false }));
      const asset = /^ui\/([^/]+)$/.exec(rest)?.[1];
      if (asset && req.method === 'GET') return send(res, dashboardAsset(asset));
      sendJson(res, 200, await json(req, rest, url));
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      sendJson(res, e.status, e.toJson(), { 'Content-Type': 'application/problem+json' });
    }
  };
}

function send(res: ServerResponse, served: Served): void {
  res.writeHead(served.status, { ...served.headers, 'Content-Length': String(Buffer.byteLength(served.body)) });
  res.end(served.body);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`'${part.slice(0, 80)}' is not a valid URL path segment`, 'id');
  }
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, 64 * 1024)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw badRequest('the body must be a JSON object', 'body');
}
