/**
 * The subscriber function app's entry. Events enter at one place, `onWorkflowEvent`, reached two
 * ways: the Event Grid trigger (endpoint type AzureFunction, what infra/ deploys) and a CloudEvents
 * webhook (endpoint type WebHook, with the OPTIONS validation handshake) for subscriptions that
 * push over plain HTTPS. A read-only HTTP API serves the read model. Registration only.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { fromCloudEvent, PoisonEventError } from './events';
import { receive } from './inbox';
import { dayFigures } from './readModel';
import { loadSubscriberSettings } from './settings';
import {
  ensureTables,
  readDay,
  readIntervention,
  readRequest,
  subscriberTables,
  tableInboxStore,
  type SubscriberTables,
} from './tableStore';
import { workflowApiSource } from './workflowApi';
// The workflow's tracing helpers: the same OpenTelemetry setup, and the CloudEvents tracing extension's consumer side.
import { consumeCloudEvent } from '../../src/infrastructure/telemetry/cloudEventTrace';
import { setupTracing } from '../../src/infrastructure/telemetry/tracing';

setupTracing();

let ready: Promise<{ tables: SubscriberTables; handle: (event: unknown) => Promise<string> }> | undefined;

function services(): NonNullable<typeof ready> {
  ready ??= (async () => {
    const settings = loadSubscriberSettings();
    const tables = subscriberTables(settings.store);
    await ensureTables(tables);
    const store = tableInboxStore(tables);
    const source = workflowApiSource(settings.workflowApiUrl, settings.workflowApiKey);
    return { tables, handle: (event: unknown) => receive(fromCloudEvent(event), store, source) };
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}

/**
 * The subscriber's one entry point for events (a failure makes the host answer 500, so Event Grid
 * redelivers). Each event is handled in a CONSUMER span continuing the trace its `traceparent` names.
 */
export function onWorkflowEvent(event: unknown, context: InvocationContext): Promise<void> {
  return consumeCloudEvent(event, 'subscriber', async () => {
    const receipt = await (await services()).handle(event);
    context.debug(`event ${(event as { id?: string }).id}: ${receipt}`);
  });
}

/** The webhook form: a poison event is answered 400 with its reason (Event Grid dead-letters it at once), any other failure 500 (retried). */
async function webhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (request.method === 'OPTIONS') {
    const origin = request.headers.get('webhook-request-origin');
    return { status: 200, headers: origin ? { 'WebHook-Allowed-Origin': origin } : {} };
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch (e) {
    return problem(400, `the body is not JSON: ${(e as Error).message}`);
  }
  try {
    for (const event of Array.isArray(body) ? body : [body]) await onWorkflowEvent(event, context);
    return { status: 200 };
  } catch (e) {
    if (e instanceof PoisonEventError) return problem(400, e.message);
    throw e;
  }
}

function problem(status: number, detail: string): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    jsonBody: { title: status === 400 ? 'Bad Request' : 'Error', status, detail },
  };
}

async function dailyReport(request: HttpRequest): Promise<HttpResponseInit> {
  const day = request.query.get('day') ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return problem(400, "'day' must be YYYY-MM-DD");
  const lines = await readDay((await services()).tables, day);
  return { jsonBody: { day, outcomes: dayFigures(lines), requests: lines.length } };
}

async function interventionList(): Promise<HttpResponseInit> {
  return { jsonBody: { items: await readIntervention((await services()).tables) } };
}

async function requestInbox(request: HttpRequest): Promise<HttpResponseInit> {
  return { jsonBody: await readRequest((await services()).tables, request.params.id ?? '') };
}

app.eventGrid('onWorkflowEvent', { handler: onWorkflowEvent });
app.http('workflowEventsWebhook', {
  route: 'events',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'function',
  handler: webhook,
});
app.http('dailyReport', { route: 'readmodel/daily', methods: ['GET'], authLevel: 'function', handler: dailyReport });
app.http('interventionList', {
  route: 'readmodel/intervention',
  methods: ['GET'],
  authLevel: 'function',
  handler: interventionList,
});
app.http('requestInbox', {
  route: 'readmodel/requests/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: requestInbox,
});
