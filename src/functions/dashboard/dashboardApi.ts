/**
 * The operator dashboard, served by the function app itself under /api/dashboard with authLevel
 * 'function' (in Azure nothing of it is readable without the function key; the page passes its `code`
 * on to every asset and API call). The UI is plain ES modules (preact + htm from node_modules, import
 * map, no bundler, no CDN); the API answers problem+json for any bad input.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { OUTCOMES, REQUEST_STAGES, type Outcome } from '../../domain/status';
import { readAll, type ViewQuery } from '../../application/ports';
import { getServices } from '../../infrastructure/services';
import { toCloudEvent } from '../../infrastructure/eventgrid/cloudEvent';
import { parseTraceparent } from '../../application/workflow/trace';
import { handled } from '../http/handle';
import { badRequest, notFound } from '../http/problem';
import {
  boundedInt,
  cosmosTokenParam,
  optionalBoolean,
  optionalString,
  readJsonObject,
  rejectUnknownFields,
  rejectUnknownQuery,
  requestIdParam,
} from '../http/input';
import {
  ACTIONS,
  getInstance,
  instanceIdOf,
  instanceListQuery,
  listInstances,
  runAction,
  type InstanceAction,
} from '../../../dashboard/server/instances';
import { dashboardAsset, dashboardPage } from '../../../dashboard/server/page';
import { isoParam, Problem } from '../../../dashboard/server/problem';
import { timelineOf } from '../../../dashboard/server/timeline';
import { traceIdOf, traceSpans } from '../../../dashboard/server/traces';
import { HttpProblem } from '../http/problem';
import { ChangeFeed } from './changeFeed';

function enumParam<T extends string>(request: HttpRequest, name: string, allowed: readonly T[]): T | undefined {
  const raw = request.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw))
    throw badRequest(`'${name}' must be one of ${allowed.join(', ')}; got '${raw.slice(0, 60)}'`, name);
  return raw as T;
}

async function listRequests(request: HttpRequest): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, [
    'stage',
    'outcome',
    'needsIntervention',
    'from',
    'to',
    'top',
    'continuationToken',
    'counts',
  ]);
  const query: ViewQuery = {
    stage: enumParam(request, 'stage', REQUEST_STAGES),
    outcome: enumParam<Outcome>(request, 'outcome', OUTCOMES),
    needsIntervention: optionalBoolean(request.query.get('needsIntervention') || undefined, 'needsIntervention'),
    updatedFrom: isoParam(request.query, 'from'),
    updatedTo: isoParam(request.query, 'to'),
    top: boundedInt(request.query.get('top'), 'top', 1, 200, 50),
    continuationToken: cosmosTokenParam(request),
    newestFirst: true,
  };
  const withCounts = optionalBoolean(request.query.get('counts') || undefined, 'counts') ?? true;
  const s = await getServices();
  const [page, viewCounts] = await Promise.all([
    s.projection.list(query).catch((e: unknown) => {
      // A token from another query (or made up) is the caller's mistake, not a server failure.
      if (query.continuationToken)
        throw badRequest(
          `'continuationToken' does not belong to this query: ${(e as Error).message.slice(0, 200)}`,
          'continuationToken',
        );
      throw e;
    }),
    withCounts ? (await changeFeed()).currentCounts() : undefined,
  ]);
  return {
    status: 200,
    jsonBody: {
      items: page.items,
      continuationToken: page.continuationToken ?? null,
      ...(viewCounts ? { counts: viewCounts } : {}),
    },
  };
}

let feed: ChangeFeed | undefined;
const changeFeed = async (): Promise<ChangeFeed> => (feed ??= new ChangeFeed((await getServices()).projection));

async function counts(request: HttpRequest): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, []);
  return { status: 200, jsonBody: await (await changeFeed()).currentCounts() };
}

async function getRequest(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, []);
  const id = requestIdParam(request);
  const s = await getServices();
  const [view, events, instance] = await Promise.all([
    s.projection.get(id),
    readAll(s.eventStore, id),
    getInstance(client, id).catch(() => undefined),
  ]);
  if (!view && events.length === 0 && !instance) throw notFound(`no request '${id}'`);
  const options = { source: s.config.eventGrid.source, schemaBaseUrl: s.config.eventGrid.schemaBaseUrl };
  const history = instance?.historyEvents ?? [];
  const traceparent = events.find((e) => e.metadata.traceparent)?.metadata.traceparent;
  return {
    status: 200,
    jsonBody: {
      id,
      view: view ?? null,
      instance: instance
        ? {
            name: instance.name,
            runtimeStatus: instance.runtimeStatus,
            customStatus: instance.customStatus ?? null,
            createdTime: instance.createdTime,
            lastUpdatedTime: instance.lastUpdatedTime,
            output: instance.output ?? null,
          }
        : null,
      timeline: timelineOf(history),
      events: events.map((e) => toCloudEvent(e, options)),
      traceId: parseTraceparent(traceparent)?.traceId ?? null,
    },
  };
}

/**
 * Server-sent events without a held-open stream (the Functions worker's default, non-streaming HTTP):
 * each response waits until something changed (or ~10 s), sends the changes and a `retry`, and the
 * browser's EventSource reconnects with Last-Event-ID = the newest `updatedAt` it has seen.
 */
async function stream(request: HttpRequest): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, ['since']);
  const sinceRaw = request.headers.get('last-event-id') || request.query.get('since') || new Date().toISOString();
  if (Number.isNaN(Date.parse(sinceRaw))) throw badRequest(`'since' must be an ISO 8601 time`, 'since');
  const changes = await (await changeFeed()).waitSince(new Date(Date.parse(sinceRaw)).toISOString(), 10_000);
  let body = `retry: 300\n\nid: ${changes.newest}\n`;
  body +=
    changes.items.length > 0
      ? `event: changed\ndata: ${JSON.stringify({ items: changes.items, counts: changes.counts })}\n\n`
      : 'event: idle\ndata: {}\n\n';
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

async function instances(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: await listInstances(client, instanceListQuery(new URL(request.url).searchParams)) };
}

async function instance(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, []);
  const status = await getInstance(client, instanceIdOf(request.params.id));
  const history = status.historyEvents ?? [];
  return { status: 200, jsonBody: { ...status, historyEvents: undefined, history, timeline: timelineOf(history) } };
}

async function action(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, []);
  const id = instanceIdOf(request.params.id);
  const name = request.params.action as InstanceAction;
  if (!(ACTIONS as readonly string[]).includes(name))
    throw badRequest(`'${String(name).slice(0, 40)}' is not an action; one of ${ACTIONS.join(', ')}`, 'action');
  const body = await readJsonObject(request, true);
  rejectUnknownFields(body, ['reason', 'eventName', 'eventData']);
  const result = await runAction(client, id, name, {
    reason: optionalString(body, 'reason', 500) ?? `${name} from the dashboard`,
    eventName: optionalString(body, 'eventName', 100),
    eventData: body.eventData,
  });
  return { status: 200, jsonBody: result };
}

async function traceOf(request: HttpRequest): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, []);
  return { status: 200, jsonBody: await traceSpans(traceIdOf(request.params.traceId)) };
}

/** The neutral dashboard modules refuse with Problem; here that becomes the API's problem+json. */
function api<A extends unknown[]>(fn: (request: HttpRequest, ...rest: A) => Promise<HttpResponseInit>) {
  return handled(async (request: HttpRequest, ...rest: A) => {
    try {
      return await fn(request, ...rest);
    } catch (e) {
      if (e instanceof Problem) throw new HttpProblem(e.status, e.title, e.message, e.fields);
      throw e;
    }
  });
}

export function registerDashboard(): void {
  const fn = 'function' as const;
  df.app.client.http('dashboard', {
    route: 'dashboard',
    methods: ['GET'],
    authLevel: fn,
    handler: api(async (r) => dashboardPage(new URL(r.url), { requests: true })),
  });
  df.app.client.http('dashboardAsset', {
    route: 'dashboard/ui/{name}',
    methods: ['GET'],
    authLevel: fn,
    handler: api(async (r) => dashboardAsset(r.params.name)),
  });
  df.app.client.http('dashboardRequests', {
    route: 'dashboard/api/requests',
    methods: ['GET'],
    authLevel: fn,
    handler: api(listRequests),
  });
  df.app.client.http('dashboardRequest', {
    route: 'dashboard/api/requests/{id}',
    methods: ['GET'],
    authLevel: fn,
    handler: api(getRequest),
  });
  df.app.client.http('dashboardCounts', {
    route: 'dashboard/api/counts',
    methods: ['GET'],
    authLevel: fn,
    handler: api(counts),
  });
  df.app.client.http('dashboardStream', {
    route: 'dashboard/api/stream',
    methods: ['GET'],
    authLevel: fn,
    handler: api(stream),
  });
  df.app.client.http('dashboardInstances', {
    route: 'dashboard/api/instances',
    methods: ['GET'],
    authLevel: fn,
    handler: api(instances),
  });
  df.app.client.http('dashboardInstance', {
    route: 'dashboard/api/instances/{id}',
    methods: ['GET'],
    authLevel: fn,
    handler: api(instance),
  });
  df.app.client.http('dashboardAction', {
    route: 'dashboard/api/instances/{id}/{action}',
    methods: ['POST'],
    authLevel: fn,
    handler: api(action),
  });
  df.app.client.http('dashboardTrace', {
    route: 'dashboard/api/traces/{traceId}',
    methods: ['GET'],
    authLevel: fn,
    handler: api(traceOf),
  });
}
