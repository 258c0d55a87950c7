/**
 * Every orchestration in the task hub (ours and any other app's), through the Durable HTTP API and the
 * Durable client: a paged list, one instance with its history, and the operator actions the Durable API
 * offers. Each action answers with what the API said, so the dashboard can show it.
 */
import type * as df from 'durable-functions';
import { badRequest, conflict, HttpProblem, notFound } from '../http/problem';

export const INSTANCE_STATUSES = ['Running', 'Pending', 'Suspended', 'Completed', 'Failed', 'Terminated', 'Canceled', 'ContinuedAsNew'] as const;
export const ACTIONS = ['raise-event', 'cancel', 'terminate', 'suspend', 'resume', 'restart', 'rewind', 'purge'] as const;
export type InstanceAction = (typeof ACTIONS)[number];

/** Instance ids of other apps are free-form; refuse only what cannot be one (empty, huge, control or path characters). */
export function instanceIdOf(raw: string | undefined): string {
  if (!raw || raw.length > 256 || [...raw].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 || '/\\#?'.includes(c))) {
    throw badRequest(`'${String(raw ?? '').slice(0, 80)}' is not an instance id: 1-256 characters without '/', '\\', '#', '?' or control characters`, 'id');
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
export async function listInstances(client: df.DurableClient, q: InstanceListQuery): Promise<{ items: unknown[]; continuationToken: string | null }> {
  const statusUrl = new URL(client.createHttpManagementPayload('x').statusQueryGetUri);
  const url = new URL(statusUrl.href.replace(/\/instances\/x(\?|$)/, '/instances$1'));
  url.searchParams.set('top', String(q.top));
  url.searchParams.set('showInput', 'false');
  if (q.runtimeStatus?.length) url.searchParams.set('runtimeStatus', q.runtimeStatus.join(','));
  if (q.createdTimeFrom) url.searchParams.set('createdTimeFrom', q.createdTimeFrom);
  if (q.createdTimeTo) url.searchParams.set('createdTimeTo', q.createdTimeTo);
  if (q.instanceIdPrefix) url.searchParams.set('instanceIdPrefix', q.instanceIdPrefix);
  const res = await fetch(url, { headers: q.continuationToken ? { 'x-ms-continuation-token': q.continuationToken } : {} });
  if (!res.ok) throw new HttpProblem(502, 'Bad Gateway', `the Durable API answered ${res.status} to the instance list: ${(await res.text()).slice(0, 300)}`);
  return { items: (await res.json()) as unknown[], continuationToken: res.headers.get('x-ms-continuation-token') || null };
}

export async function getInstance(client: df.DurableClient, id: string): Promise<df.DurableOrchestrationStatus> {
  let status: df.DurableOrchestrationStatus | undefined;
  try {
    status = await client.getStatus(id, { showHistory: true, showHistoryOutput: true, showInput: true });
  } catch (e) {
    if (/404/.test((e as Error).message)) throw notFound(`no orchestration instance '${id}'`);
    throw e;
  }
  if (!status?.runtimeStatus) throw notFound(`no orchestration instance '${id}'`);
  return status;
}

export interface ActionInput {
  reason: string;
  eventName?: string;
  eventData?: unknown;
}

/**
 * Runs one operator action. `cancel` is the workflow's own cancel (an external event its orchestrator
 * waits for, so compensations run); `terminate` stops the instance where it is.
 */
export async function runAction(client: df.DurableClient, id: string, action: InstanceAction, input: ActionInput): Promise<{ action: InstanceAction; instanceId: string; answer: unknown }> {
  const before = await getInstance(client, id);
  const answer = await (async (): Promise<unknown> => {
    switch (action) {
      case 'raise-event':
        if (!input.eventName) throw badRequest("'eventName' is required to raise an event", 'eventName');
        await client.raiseEvent(id, input.eventName, input.eventData ?? null);
        return { raised: input.eventName };
      case 'cancel':
        await client.raiseEvent(id, 'cancel', { reason: input.reason });
        return { raised: 'cancel', reason: input.reason };
      case 'terminate':
        await client.terminate(id, input.reason);
        return { terminated: true };
      case 'suspend':
        await client.suspend(id, input.reason);
        return { suspended: true };
      case 'resume':
        await client.resume(id, input.reason);
        return { resumed: true };
      case 'rewind':
        await client.rewind(id, input.reason);
        return { rewound: true };
      case 'purge':
        return { instancesDeleted: (await client.purgeInstanceHistory(id)).instancesDeleted };
      case 'restart': {
        // As the Durable API's restart (same instance id): only a finished instance, with its original input.
        if (['Running', 'Pending', 'Suspended'].includes(String(before.runtimeStatus))) throw conflict(`instance '${id}' is ${before.runtimeStatus}; only a finished instance can be restarted`);
        await client.startNew(before.name, { instanceId: id, input: before.input });
        return { restarted: true, name: before.name };
      }
    }
  })().catch((e: unknown) => {
    if (e instanceof HttpProblem) throw e;
    // The client reports the API's refusal (e.g. 410 Gone for a finished instance) in its message.
    const message = (e as Error)?.message ?? String(e);
    const status = /\b(400|404|409|410|501)\b/.exec(message)?.[1];
    throw new HttpProblem(status ? Number(status) : 502, 'Durable API refused', message.slice(0, 500));
  });
  return { action, instanceId: id, answer };
}
