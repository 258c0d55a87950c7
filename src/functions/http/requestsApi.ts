/**
 * The request API: add work items, inspect one request (projection + orchestration), read its
 * events, list, cancel, rebuild the projection, run discovery. Mutating routes use
 * authLevel 'function' (a function or host key in Azure).
 */
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { discoverOne, discoverRequests, emptyReport } from '../../application/requests/discoverRequests';
import { ACTIVE } from '../../application/requests/workflowRuntime';
import { workItemPayloadProblem, type WorkItemPayload } from '../../domain/events';
import { isValidRequestId, REQUEST_ID_RULE } from '../../domain/ids';
import { OUTCOMES, REQUEST_STAGES, type Outcome, type RequestStage } from '../../domain/status';
import { getServices, type Services } from '../../infrastructure/services';
import { durableRuntime } from '../durableRuntime';
import { discoveryDeps } from '../discoveryDeps';
import { activeTraceContext } from '../../infrastructure/telemetry/tracing';
import { httpSpan } from '../telemetry';
import { logLine } from '../log';
import { handled } from './handle';
import { badRequest, conflict, notFound } from './problem';
import {
  boundedInt,
  cosmosTokenParam as tokenParam,
  expectNoInput,
  optionalBoolean,
  optionalString,
  readJsonObject,
  rejectUnknownFields,
  rejectUnknownQuery,
  requestIdParam,
} from './input';

const API_PARTITION = 'api';

function links(request: HttpRequest, id: string): { self: string; events: string; cancel: string } {
  const base = `${new URL(request.url).origin}/api/requests/${encodeURIComponent(id)}`;
  return { self: base, events: `${base}/events`, cancel: `${base}/cancel` };
}

async function addRequest(
  request: HttpRequest,
  client: df.DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readJsonObject(request);
  rejectUnknownFields(body, ['id', 'payload', 'start']);
  const id = optionalString(body, 'id', 100) ?? randomRequestId();
  if (!isValidRequestId(id)) throw badRequest(`'id' must be ${REQUEST_ID_RULE}`, 'id');
  const payload = body.payload;
  const problem = workItemPayloadProblem(payload);
  if (problem) throw badRequest(problem, problem.startsWith('payload.scenario') ? 'payload.scenario' : 'payload');
  const start = optionalBoolean(body.start ?? request.query.get('start') ?? undefined, 'start') ?? false;

  const s = await getServices();
  const row = await s.intake.add(
    { partitionKey: API_PARTITION, rowKey: id },
    payload as WorkItemPayload,
    activeTraceContext(),
  );
  let started = false;
  if (start) {
    const report = emptyReport();
    await discoverOne(discoveryDeps(s, durableRuntime(client, request)), row, new Date(), report);
    started = report.started.includes(id);
  }
  logLine(context, 'information', `work item added${started ? ' and started' : ''}`, {
    requestId: id,
    ...(started ? { instanceId: id } : {}),
  });
  return {
    status: 202,
    headers: { location: links(request, id).self },
    jsonBody: { id, started, links: links(request, id) },
  };
}

async function getRequest(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const id = requestIdParam(request);
  const s = await getServices();
  const runtime = durableRuntime(client, request);
  const [view, instance] = await Promise.all([s.projection.get(id), runtime.status(id)]);
  // Rows added through this API live in its partition; a discovered request's view names its row.
  const row = await s.intake.get(view?.intake ?? { partitionKey: API_PARTITION, rowKey: id });
  if (!view && !instance && !row) throw notFound(`no request '${id}'`);
  return {
    status: 200,
    jsonBody: {
      id,
      intake: row
        ? {
            ...row.ref,
            status: row.status,
            ...(row.claimedAt ? { claimedAt: row.claimedAt } : {}),
            ...(row.status === 'Claimed' && row.claimCheckAt ? { claimCheckAt: row.claimCheckAt } : {}),
            ...(row.problem ? { problem: row.problem } : {}),
          }
        : null,
      view: view ?? null,
      needsIntervention: view?.needsIntervention ?? false,
      orchestration: instance
        ? {
            runtimeStatus: instance.runtimeStatus,
            customStatus: instance.customStatus ?? null,
            output: instance.output ?? null,
            createdTime: instance.createdTime,
            lastUpdatedTime: instance.lastUpdatedTime,
          }
        : null,
      links: { ...links(request, id), durable: instance ? runtime.managementLinks(id) : {} },
    },
  };
}

async function getEvents(request: HttpRequest): Promise<HttpResponseInit> {
  const id = requestIdParam(request);
  const top = boundedInt(request.query.get('top'), 'top', 1, 1000, 100);
  const fromVersion = boundedInt(request.query.get('fromVersion'), 'fromVersion', 1, Number.MAX_SAFE_INTEGER, 1);
  const continuationToken = tokenParam(request);
  const s = await getServices();
  const page = await s.eventStore.readStream(id, { fromVersion, maxCount: top, continuationToken });
  if (page.items.length === 0 && !continuationToken && fromVersion === 1)
    throw notFound(`request '${id}' has no events`);
  return { status: 200, jsonBody: { id, events: page.items, continuationToken: page.continuationToken ?? null } };
}

async function listRequests(request: HttpRequest): Promise<HttpResponseInit> {
  rejectUnknownQuery(request, ['status', 'top', 'continuationToken']);
  const status = request.query.get('status') ?? undefined;
  const top = boundedInt(request.query.get('top'), 'top', 1, 500, 50);
  let stage: RequestStage | undefined;
  let outcome: Outcome | undefined;
  if (status !== undefined) {
    if ((REQUEST_STAGES as readonly string[]).includes(status)) stage = status as RequestStage;
    else if ((OUTCOMES as readonly string[]).includes(status)) outcome = status as Outcome;
    else
      throw badRequest(
        `'status' must be a stage (${REQUEST_STAGES.join(', ')}) or an outcome (${OUTCOMES.join(', ')})`,
        'status',
      );
  }
  const s = await getServices();
  const page = await s.projection.list({ stage, outcome, top, continuationToken: tokenParam(request) });
  return { status: 200, jsonBody: { items: page.items, continuationToken: page.continuationToken ?? null } };
}

async function cancelRequest(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const id = requestIdParam(request);
  const body = await readJsonObject(request, true);
  rejectUnknownFields(body, ['reason']);
  const reason = optionalString(body, 'reason', 500) ?? 'cancelled by operator';
  const runtime = durableRuntime(client, request);
  const instance = await runtime.status(id);
  if (!instance) throw notFound(`no running workflow for request '${id}'`);
  if (!ACTIVE.includes(instance.runtimeStatus)) {
    throw conflict(`request '${id}' can no longer be cancelled: its workflow is ${instance.runtimeStatus}`);
  }
  await runtime.raiseCancel(id, reason);
  return {
    status: 202,
    headers: { location: links(request, id).self },
    jsonBody: { id, cancelRequested: true, reason, links: links(request, id) },
  };
}

async function rebuildProjection(request: HttpRequest): Promise<HttpResponseInit> {
  await expectNoInput(request);
  const s: Services = await getServices();
  const result = await s.projection.rebuild(s.eventStore);
  return { status: 200, jsonBody: result };
}

async function discover(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  await expectNoInput(request);
  const s = await getServices();
  const report = await discoverRequests(discoveryDeps(s, durableRuntime(client, request)));
  return { status: 200, jsonBody: report };
}

function randomRequestId(): string {
  // Not in an orchestrator: a random id for a new work item is fine here.
  return `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function registerRequestsApi(): void {
  clientRoute('addRequest', 'POST', 'requests', addRequest);
  clientRoute('listRequests', 'GET', 'requests', listRequests);
  clientRoute('getRequest', 'GET', 'requests/{id}', getRequest);
  clientRoute('getRequestEvents', 'GET', 'requests/{id}/events', getEvents);
  clientRoute('cancelRequest', 'POST', 'requests/{id}/cancel', cancelRequest);
  clientRoute('rebuildProjection', 'POST', 'projections/rebuild', rebuildProjection);
  clientRoute('discover', 'POST', 'discover', discover);
}

/** A function-key route with the durable client: traced under its route, errors answered as problem+json. */
function clientRoute(name: string, method: HttpMethod, route: string, fn: df.DurableClientHandler): void {
  df.app.client.http(name, { route, methods: [method], authLevel: 'function', handler: httpSpan(route, handled(fn)) });
}
