/**
 * Every orchestration in the task hub (ours and any other app's), through the Durable HTTP API and the
 * Durable client: a paged list, one instance with its history, and the operator actions the Durable API
 * offers. Each action answers with what the API said, so the dashboard can show it.
 */
import { badRequest, boundedIntParam, conflict, isoParam, notFound, Problem, rejectUnknown } from './problem';

/**
 * What the dashboard needs of a Durable client: the management URLs of an instance (the Durable HTTP
 * API, the same scheme in Azure and the devhost) and starting an orchestration. A `DurableClient`
 * from durable-functions has both; the devhost builds one from its own URLs.
 */
export interface DurableManagement {
  createHttpManagementPayload(instanceId: string): {
    statusQueryGetUri: string;
    sendEventPostUri: string;
    terminatePostUri: string;
    rewindPostUri: string;
    purgeHistoryDeleteUri: string;
    suspendPostUri: string;
    resumePostUri: string;
  };
  startNew(name: string, options: { instanceId: string; input?: unknown }): Promise<string>;
}

export const INSTANCE_STATUSES = [
  'Running',
  'Pending',
  'Suspended',
  'Completed',
  'Failed',
  'Terminated',
  'Canceled',
  'ContinuedAsNew',
] as const;
export const ACTIONS = [
  'raise-event',
  'cancel',
  'terminate',
  'suspend',
  'resume',
  'restart',
  'rewind',
  'purge',
] as const;
export type InstanceAction = (typeof ACTIONS)[number];

/** Instance ids of other apps are free-form; refuse only what cannot be one (empty, huge, control or path characters). */
export function instanceIdOf(raw: string | undefined): string {
  if (
    !raw ||
    raw.length > 256 ||
    [...raw].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 || '/\\#?'.includes(c))
  ) {
    throw badRequest(
      `'${String(raw ?? '').slice(0, 80)}' is not an instance id: 1-256 characters without '/', '\\', '#', '?' or control characters`,
      'id',
    );
  }
  return raw;
}

export interface InstanceListQuery {
  top: number;
  runtimeStatus?: string[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  continuationToken?: string;
}

/** One page from `GET /instances` of the Durable HTTP API (same URL scheme in Azure and the devhost). */
/** The list's query string, checked: unknown parameters and bad values are refused. */
export function instanceListQuery(query: URLSearchParams): InstanceListQuery {
  rejectUnknown(query, ['runtimeStatus', 'from', 'to', 'prefix', 'top', 'continuationToken']);
  const statuses = (query.get('runtimeStatus') || '').split(',').filter((x) => x !== '');
  for (const st of statuses)
    if (!(INSTANCE_STATUSES as readonly string[]).includes(st))
      throw badRequest(
        `'runtimeStatus' must be a comma-separated list of ${INSTANCE_STATUSES.join(', ')}; got '${st.slice(0, 40)}'`,
        'runtimeStatus',
      );
  const prefix = query.get('prefix') || undefined;
  if (prefix !== undefined) instanceIdOf(prefix);
  const token = query.get('continuationToken') || undefined;
  if (token && token.length > 4096)
    throw badRequest("'continuationToken' is too long; pass back the token of the previous page", 'continuationToken');
  return {
    top: boundedIntParam(query, 'top', 1, 200, 50),
    runtimeStatus: statuses,
    createdTimeFrom: isoParam(query, 'from'),
    createdTimeTo: isoParam(query, 'to'),
    instanceIdPrefix: prefix,
    continuationToken: token,
  };
}

export async function listInstances(
  client: DurableManagement,
  q: InstanceListQuery,
): Promise<{ items: unknown[]; continuationToken: string | null }> {
  const statusUrl = new URL(client.createHttpManagementPayload('x').statusQueryGetUri);
  const url = new URL(statusUrl.href.replace(/\/instances\/x(\?|$)/, '/instances$1'));
  url.searchParams.set('top', String(q.top));
  url.searchParams.set('showInput', 'false');
  if (q.runtimeStatus?.length) url.searchParams.set('runtimeStatus', q.runtimeStatus.join(','));
  if (q.createdTimeFrom) url.searchParams.set('createdTimeFrom', q.createdTimeFrom);
  if (q.createdTimeTo) url.searchParams.set('createdTimeTo', q.createdTimeTo);
  if (q.instanceIdPrefix) url.searchParams.set('instanceIdPrefix', q.instanceIdPrefix);
  const res = await fetch(url, {
    headers: q.continuationToken ? { 'x-ms-continuation-token': q.continuationToken } : {},
  });
  if (!res.ok)
    throw new Problem(
      502,
      'Bad Gateway',
      `the Durable API answered ${res.status} to the instance list: ${(await res.text()).slice(0, 300)}`,
    );
  return {
    items: (await res.json()) as unknown[],
    continuationToken: res.headers.get('x-ms-continuation-token') || null,
  };
}

export interface InstanceView {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input?: unknown;
  customStatus?: unknown;
  output?: unknown;
  createdTime?: string;
  lastUpdatedTime?: string;
  historyEvents?: Record<string, unknown>[];
}

/**
 * The status with its history, straight from the Durable HTTP API: the JS client drops
 * `historyEvents` (azure-functions-durable-js #620), so it is read over HTTP like the list.
 */
export async function getInstance(client: DurableManagement, id: string): Promise<InstanceView> {
  const url = new URL(client.createHttpManagementPayload(id).statusQueryGetUri);
  for (const flag of ['showHistory', 'showHistoryOutput', 'showInput']) url.searchParams.set(flag, 'true');
  const res = await fetch(url);
  if (res.status === 404) throw notFound(`no orchestration instance '${id}'`);
  if (!res.ok)
    throw new Problem(
      502,
      'Bad Gateway',
      `the Durable API answered ${res.status} for instance '${id}': ${(await res.text()).slice(0, 300)}`,
    );
  return (await res.json()) as InstanceView;
}

export interface ActionInput {
  reason: string;
  eventName?: string;
  eventData?: unknown;
}

/**
 * Runs one operator action through the Durable HTTP API's management URLs and returns the API's own
 * answer (status and body). `cancel` is the workflow's cancel (the external event its orchestrator
 * waits for, so compensations run); `terminate` stops the instance where it is. Restart starts the
 * finished instance again under its id with its original input (the Durable API's restart with
 * restartWithNewInstanceId=false).
 */
export async function runAction(
  client: DurableManagement,
  id: string,
  action: InstanceAction,
  input: ActionInput,
): Promise<{ action: InstanceAction; instanceId: string; status: number; answer: unknown }> {
  const before = await getInstance(client, id);
  const urls = client.createHttpManagementPayload(id);
  const reason = encodeURIComponent(input.reason);
  const send = async (method: string, url: string, body?: unknown): Promise<{ status: number; answer: unknown }> => {
    const res = await fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let answer: unknown = text;
    try {
      answer = text ? JSON.parse(text) : null;
    } catch {
      // plain text: shown as is
    }
    if (res.status >= 400)
      throw new Problem(
        res.status,
        'Durable API refused',
        typeof answer === 'object' && answer && 'Message' in answer
          ? String((answer as { Message: unknown }).Message)
          : String(text).slice(0, 500) || `HTTP ${res.status}`,
        { action },
      );
    return { status: res.status, answer };
  };
  const withReason = (uri: string): string => uri.replace('{text}', reason);
  let result: { status: number; answer: unknown };
  switch (action) {
    case 'raise-event':
      if (!input.eventName || !/^[A-Za-z0-9_.:-]{1,100}$/.test(input.eventName))
        throw badRequest("'eventName' is required: 1-100 letters, digits, '_', '.', ':' or '-'", 'eventName');
      result = await send(
        'POST',
        urls.sendEventPostUri.replace('{eventName}', encodeURIComponent(input.eventName)),
        input.eventData ?? null,
      );
      break;
    case 'cancel':
      result = await send('POST', urls.sendEventPostUri.replace('{eventName}', 'cancel'), { reason: input.reason });
      break;
    case 'terminate':
      result = await send('POST', withReason(urls.terminatePostUri));
      break;
    case 'suspend':
      result = await send('POST', withReason(urls.suspendPostUri));
      break;
    case 'resume':
      result = await send('POST', withReason(urls.resumePostUri));
      break;
    case 'rewind':
      result = await send('POST', withReason(urls.rewindPostUri));
      break;
    case 'purge':
      result = await send('DELETE', urls.purgeHistoryDeleteUri);
      break;
    case 'restart':
      if (['Running', 'Pending', 'Suspended'].includes(before.runtimeStatus))
        throw conflict(`instance '${id}' is ${before.runtimeStatus}; only a finished instance can be restarted`);
      await client.startNew(before.name, { instanceId: id, input: before.input });
      result = { status: 202, answer: { restarted: true, name: before.name } };
      break;
  }
  return { action, instanceId: id, ...result };
}
