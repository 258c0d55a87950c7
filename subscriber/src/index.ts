/**
 * The subscriber function app's entry: one Event Grid trigger (the single place an event enters:
 * `onWorkflowEvent`) and a read-only HTTP API over its read model. Registration only.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { fromCloudEvent } from './events';
import { receive } from './inbox';
import { dayFigures } from './readModel';
import { loadSubscriberSettings } from './settings';
import { ensureTables, readDay, readIntervention, readRequest, subscriberTables, tableInboxStore, type SubscriberTables } from './tableStore';
import { workflowApiSource } from './workflowApi';

let ready: Promise<{ tables: SubscriberTables; handle: (event: unknown) => Promise<string> }> | undefined;

function services(): NonNullable<typeof ready> {
  ready ??= (async () => {
    const settings = loadSubscriberSettings();
    const tables = subscriberTables(settings.storage);
    await ensureTables(tables);
    const store = tableInboxStore(tables);
    const source = workflowApiSource(settings.workflowApiUrl, settings.workflowApiKey);
    return { tables, handle: (event: unknown) => receive(fromCloudEvent(event), store, source) };
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}

/** The subscriber's one entry point for events (a failure makes the host answer 500, so Event Grid redelivers). */
export async function onWorkflowEvent(event: unknown, context: InvocationContext): Promise<void> {
  const receipt = await (await services()).handle(event);
  context.debug(`event ${(event as { id?: string }).id}: ${receipt}`);
}

async function dailyReport(request: HttpRequest): Promise<HttpResponseInit> {
  const day = request.query.get('day') ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return { status: 400, headers: { 'content-type': 'application/problem+json' }, jsonBody: { title: 'Bad request', detail: "'day' must be YYYY-MM-DD" } };
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
app.http('dailyReport', { route: 'readmodel/daily', methods: ['GET'], authLevel: 'function', handler: dailyReport });
app.http('interventionList', { route: 'readmodel/intervention', methods: ['GET'], authLevel: 'function', handler: interventionList });
app.http('requestInbox', { route: 'readmodel/requests/{id}', methods: ['GET'], authLevel: 'function', handler: requestInbox });
