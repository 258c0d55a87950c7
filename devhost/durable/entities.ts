/**
 * Durable entities, stored like the extension's Azure Storage implementation stores them: an entity
 * is an instance `@<name lower-cased>@<key>` whose input holds its scheduler state, and an
 * operation is an `op` event carrying a request message (EntityId.GetSchedulerIdFromEntityId,
 * RequestMessage / ResponseMessage in the extension). An entity instance runs one batch at a time
 * (the scheduler's one-episode-per-instance rule), and the SDK runs the batch's operations in order,
 * so operations on one entity never overlap. Its state lives in the task hub store (memory or
 * tables) and is committed with the acknowledgement of the operations that produced it.
 *
 * Wire shapes (durable-functions lib/src/entities, verified against the SDK source):
 *   entity trigger  { self: {name,key}, exists, state: JSON text, batch: [{ id, name, signal, input: JSON text }] }
 *   entity result   { entityExists, entityState: JSON text, results: [{ isError, result: JSON text }], signals: [{ target, name, input, … }] }
 *   call/signal     EventSent { EventId, InstanceId: '@name@key', Name: 'op', Input: JSON(request) } in the caller's history
 *   response        EventRaised { Name: <request id>, Input: JSON({ result: JSON text, exceptionType? }) } to the caller
 */
import { randomUUID } from 'node:crypto';
import { fromTypedData, invokeRegistration } from '../functions/invoke';
import type { Registration } from '../functions/types';
import { UnknownEntityError, type EntityApi, type EntityQuery, type EntityRef, type EntityStatus } from './api';
import type { Clock } from './clock';
import { EventType, historyEvent } from './history';
import type { EpisodeCommit, EventMessage, InstanceRecord, Message, TaskHubStore } from './store/types';

export const ENTITY_OPERATION_EVENT = 'op';

export interface EntityRequest {
  id: string;
  op: string;
  signal: boolean;
  /** JSON text of the input; absent for none. */
  input?: string;
  parent?: string;
  parentExecution?: string;
  timestamp: string;
}

/** What the entity instance's `input` holds (the extension's SchedulerState, reduced). */
interface SchedulerState {
  exists: boolean;
  /** JSON text. */
  state?: string;
}

export function schedulerId(entity: EntityRef): string {
  return `@${entity.name.toLowerCase()}@${entity.key}`;
}

export function entityOf(id: string): EntityRef | undefined {
  if (!id.startsWith('@')) return undefined;
  const at = id.indexOf('@', 1);
  return at < 0 ? undefined : { name: id.slice(1, at), key: id.slice(at + 1) };
}

export function entityRegistration(registrations: Map<string, Registration>, name: string): Registration | undefined {
  const lower = name.toLowerCase();
  for (const reg of registrations.values()) {
    if (
      reg.metadata.name.toLowerCase() === lower &&
      Object.values(reg.metadata.bindings).some((b) => b.type === 'entityTrigger')
    )
      return reg;
  }
  return undefined;
}

/** DurableTaskExtension.GetInvalidEntityFunctionMessage. */
export function unknownEntityMessage(name: string, registrations?: Map<string, Registration>): string {
  const known = [...(registrations?.values() ?? [])]
    .filter((r) => Object.values(r.metadata.bindings).some((b) => b.type === 'entityTrigger'))
    .map((r) => r.metadata.name);
  const info = known.length
    ? `The following are the known entity functions: '${known.join("', '")}'.`
    : 'No entity functions are currently registered!';
  return `The function '${name}' doesn't exist, is disabled, or is not an entity function. Additional info: ${info}`;
}

/** The message that delivers one operation to an entity. `messageId` must be deterministic where the sender may run twice. */
export function requestMessage(
  target: string,
  request: EntityRequest,
  messageId: string,
  dueAt: number,
  seq: number,
): EventMessage {
  return {
    kind: 'event',
    id: messageId,
    instanceId: target,
    dueAt,
    seq,
    event: historyEvent(EventType.EventRaised, new Date(dueAt), {
      Name: ENTITY_OPERATION_EVENT,
      Input: JSON.stringify(request),
    }),
  };
}

function entityRecord(reg: Registration, id: string, now: Date): InstanceRecord {
  return {
    instanceId: id,
    kind: 'entity',
    name: reg.metadata.name,
    executionId: randomUUID(),
    runtimeStatus: 'Running',
    input: JSON.stringify({ exists: false } satisfies SchedulerState),
    createdTime: now.toISOString(),
    lastUpdatedTime: now.toISOString(),
    hiddenIds: [],
    retries: {},
    canceledTimers: [],
  };
}

/** Creates the instances of entities that `messages` address and that do not exist yet (stores drop messages for unknown instances). */
export async function ensureEntityRecords(
  store: TaskHubStore,
  registrations: Map<string, Registration>,
  messages: readonly Message[],
  now: Date,
): Promise<void> {
  const targets = new Set(
    messages
      .filter(
        (m) =>
          m.kind === 'event' &&
          m.event.EventType === EventType.EventRaised &&
          m.event.Name === ENTITY_OPERATION_EVENT &&
          m.instanceId.startsWith('@'),
      )
      .map((m) => m.instanceId),
  );
  for (const id of targets) {
    const entity = entityOf(id);
    const reg = entity && entityRegistration(registrations, entity.name);
    if (!reg || (await store.getInstance(id))) continue;
    // False when another writer created it first: either way it exists now.
    await store.putInstance(entityRecord(reg, id, now), [], true);
  }
}

export interface EntityBatchInput {
  record: InstanceRecord;
  messages: EventMessage[];
  now: Date;
  registrations: Map<string, Registration>;
  seq: () => number;
}

interface EntityResult {
  entityExists?: boolean;
  entityState?: string;
  results?: ({ isError?: boolean; result?: string } | null)[];
  signals?: { target: EntityRef; name: string; input?: string }[];
}

/** Runs the pending operations of one entity as one batch and describes the commit. */
export async function runEntityBatch(
  input: EntityBatchInput,
): Promise<{ commit: EpisodeCommit; orchestratorMs: number }> {
  const { record, now } = input;
  const entity = entityOf(record.instanceId) as EntityRef;
  const requests: { request: EntityRequest; messageId: string }[] = [];
  for (const m of input.messages) {
    if (m.event.EventType !== EventType.EventRaised || m.event.Name !== ENTITY_OPERATION_EVENT) continue;
    requests.push({ request: JSON.parse(String(m.event.Input)) as EntityRequest, messageId: m.id });
  }
  const before = JSON.parse(record.input) as SchedulerState;
  const reg = entityRegistration(input.registrations, record.name);
  const started = performance.now();
  let result: EntityResult;
  try {
    if (!reg) throw new Error(unknownEntityMessage(record.name, input.registrations));
    const trigger = {
      self: entity,
      exists: before.exists,
      state: before.state,
      batch: requests.map(({ request: r }) => ({ id: r.id, name: r.op, signal: r.signal, input: r.input })),
    };
    const { returnValue } = await invokeRegistration(reg, { trigger: { json: JSON.stringify(trigger) } });
    result = (fromTypedData(returnValue) ?? {}) as EntityResult;
  } catch (e) {
    // The whole batch failed (the SDK itself threw): state unchanged, every caller gets the error.
    const message = JSON.stringify(e instanceof Error ? e.message : String(e));
    result = {
      entityExists: before.exists,
      entityState: before.state,
      results: requests.map(() => ({ isError: true, result: message })),
      signals: [],
    };
  }
  const orchestratorMs = performance.now() - started;

  const send: Message[] = [];
  requests.forEach(({ request, messageId }, i) => {
    if (request.signal || !request.parent) return;
    const outcome = result.results?.[i];
    const response: { result?: string; exceptionType?: string } =
      outcome?.result !== undefined ? { result: outcome.result } : {};
    if (outcome?.isError || !outcome) response.exceptionType = outcome ? 'Error' : 'EntityOperationNotRun';
    send.push({
      kind: 'event',
      id: `entity-response-${messageId}`,
      instanceId: request.parent,
      executionId: request.parentExecution,
      dueAt: now.getTime(),
      seq: input.seq(),
      event: historyEvent(EventType.EventRaised, now, { Name: request.id, Input: JSON.stringify(response) }),
    });
  });
  (result.signals ?? []).forEach((s, i) => {
    const request: EntityRequest = {
      id: randomUUID(),
      op: s.name,
      signal: true,
      input: s.input || undefined,
      parent: record.instanceId,
      timestamp: now.toISOString(),
    };
    send.push(
      requestMessage(
        schedulerId(s.target),
        request,
        `entity-signal-${input.messages[0]?.id ?? 'none'}-${i}`,
        now.getTime(),
        input.seq(),
      ),
    );
  });
  const after: SchedulerState = result.entityExists ? { exists: true, state: result.entityState } : { exists: false };
  return {
    orchestratorMs,
    commit: {
      instance: { ...record, input: JSON.stringify(after), lastUpdatedTime: now.toISOString() },
      append: [],
      consumed: input.messages.map((m) => m.id),
      send,
    },
  };
}

export interface EntityApiDeps {
  store: TaskHubStore;
  registrations: Map<string, Registration>;
  clock: Clock;
  seq: () => number;
  kick: () => void;
}

/** The client side: signal, read and list entities (DurableClient.SignalEntityAsync, ReadEntityStateAsync, ListEntitiesAsync). */
export function createEntityApi(deps: EntityApiDeps): EntityApi {
  const { store } = deps;
  const read = (record: InstanceRecord | undefined): SchedulerState =>
    record?.kind === 'entity' ? (JSON.parse(record.input) as SchedulerState) : { exists: false };
  const parse = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));
  return {
    async signalEntity(entity, operation, input) {
      if (!entityRegistration(deps.registrations, entity.name))
        throw new UnknownEntityError(unknownEntityMessage(entity.name, deps.registrations));
      const now = deps.clock.now();
      const request: EntityRequest = {
        id: randomUUID(),
        op: operation,
        signal: true,
        input: input === undefined ? undefined : JSON.stringify(input),
        timestamp: now.toISOString(),
      };
      const message = requestMessage(schedulerId(entity), request, `signal-${request.id}`, now.getTime(), deps.seq());
      await ensureEntityRecords(store, deps.registrations, [message], now);
      await store.putMessages([message]);
      deps.kick();
    },
    async readEntityState(entity) {
      const state = read(await store.getInstance(schedulerId(entity)));
      return state.exists ? { exists: true, state: parse(state.state) } : { exists: false };
    },
    async listEntities(query: EntityQuery) {
      const prefix = query.name ? `@${query.name.toLowerCase()}@` : '@';
      const all: EntityStatus[] = [];
      for (const r of await store.listInstances()) {
        if (r.kind !== 'entity' || !r.instanceId.startsWith(prefix)) continue;
        if (query.lastOperationFrom && r.lastUpdatedTime < query.lastOperationFrom) continue;
        if (query.lastOperationTo && r.lastUpdatedTime > query.lastOperationTo) continue;
        const state = read(r);
        if (!state.exists) continue;
        all.push({
          entityId: entityOf(r.instanceId) as EntityRef,
          lastOperationTime: r.lastUpdatedTime,
          ...(query.fetchState ? { state: parse(state.state) } : {}),
        });
      }
      all.sort((a, b) => schedulerId(a.entityId).localeCompare(schedulerId(b.entityId)));
      const offset = query.continuationToken ? Number.parseInt(query.continuationToken, 10) || 0 : 0;
      const top = query.top ?? all.length;
      return {
        items: all.slice(offset, offset + top),
        continuationToken: offset + top < all.length ? String(offset + top) : undefined,
      };
    },
  };
}
