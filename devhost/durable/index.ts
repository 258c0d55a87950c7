/**
 * The devhost's Durable task hub: instance management (TaskHubApi) over a store, driven by the
 * scheduler. See docs/DURABLE_PROTOCOL.md for the protocol it speaks to the durable-functions SDK.
 */
import { randomUUID } from 'node:crypto';
import type { Registration } from '../functions/types';
import type { ActivityOverride } from './activities';
import {
  InstanceExistsError,
  InstanceNotFoundError,
  type InstanceStatus,
  type ListFilter,
  type OperationResult,
  type RuntimeStatus,
  type StartOptions,
  type TaskHubApi,
} from './api';
import { startMessage } from './applyActions';
import { TERMINAL } from './batch';
import type { Clock } from './clock';
import { Scheduler, type EngineStats } from './engine';
import { createEntityApi } from './entities';
import { EventType, historyEvent, type HistoryEvent } from './history';
import { rewindInstance } from './rewind';
import { TableTaskHubStore } from './store/tableStore';
import { historyEventsView, toStatus } from './statusView';
import type { InstanceRecord, TaskHubStore } from './store/types';

export { realClock, virtualClock, type Clock, type VirtualClock } from './clock';
export { createMemoryStore } from './store/memory';
export type { TaskHubStore, InstanceRecord, Message } from './store/types';
export type { EngineStats } from './engine';
export type { HistoryEvent } from './history';
export type { ActivityOverride } from './activities';

export interface DurableEngineOptions {
  registrations: Map<string, Registration>;
  store: TaskHubStore;
  clock: Clock;
  taskHubName: string;
  maxConcurrentActivities?: number;
  log?: (msg: string) => void;
  /** Replaces activity implementations (the test kit's scripted activities). */
  activityOverride?: ActivityOverride;
  /** Real ms an activity stays leased to this process before another process may run it again (default DEFAULT_ACTIVITY_LEASE_MS). */
  activityLeaseMs?: number;
  /** Real ms between looks for work written by other processes (default 250). */
  pollIntervalMs?: number;
  /** Real ms after which a hung episode or activity is abandoned and its instance released (default 30 000). */
  workTimeoutMs?: number;
}

/** How long a started activity stays leased when nothing sets it: the recovery delay after a host crash. */
export const DEFAULT_ACTIVITY_LEASE_MS = 60_000;

export interface DurableEngine extends TaskHubApi {
  /** The effective activity lease in real ms (the option, or the default). */
  readonly activityLeaseMs: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once no work is runnable; under a virtual clock, time has jumped past every due timer by then. */
  whenIdle(): Promise<void>;
  /** Resolves when the instance reaches one of `statuses` (default: Completed, Failed, Terminated, Canceled). */
  waitForInstance(instanceId: string, statuses?: RuntimeStatus[]): Promise<InstanceStatus>;
  stats(): EngineStats;
  /** Raises an event that is delivered only once the clock reaches `at` (the test kit's scripted events). */
  scheduleEvent(instanceId: string, eventName: string, data: unknown, at: Date): Promise<OperationResult>;
  /** The stored record and the raw history of the current execution (PascalCase DTFx events), for tools such as the test kit. */
  inspect(instanceId: string): Promise<{ record: InstanceRecord; history: HistoryEvent[] } | undefined>;
}

const OVERRIDABLE = TERMINAL;

export function createDurableEngine(opts: DurableEngineOptions): DurableEngine {
  const { store, clock, registrations } = opts;
  const log = opts.log ?? ((msg: string) => console.warn(msg));
  const activityLeaseMs = opts.activityLeaseMs ?? DEFAULT_ACTIVITY_LEASE_MS;
  const scheduler = new Scheduler({
    registrations,
    store,
    clock,
    log,
    maxConcurrentActivities: opts.maxConcurrentActivities ?? 16,
    activityOverride: opts.activityOverride,
    activityLeaseMs,
    pollIntervalMs: opts.pollIntervalMs ?? 250,
    workTimeoutMs: opts.workTimeoutMs ?? 30_000,
  });

  const orchestratorNames = (): string[] =>
    [...registrations.values()]
      .filter((r) => Object.values(r.metadata.bindings).some((b) => b.type === 'orchestrationTrigger'))
      .map((r) => r.metadata.name);

  async function control(
    instanceId: string,
    type: number,
    fields: Record<string, unknown>,
    at?: Date,
  ): Promise<OperationResult> {
    const record = await store.getInstance(instanceId);
    if (!record) return 'notFound';
    if (TERMINAL.has(record.runtimeStatus)) return 'gone';
    const due = at ?? clock.now();
    await store.putMessages([
      {
        kind: 'event',
        id: randomUUID(),
        instanceId,
        dueAt: due.getTime(),
        seq: scheduler.nextSeq(),
        event: historyEvent(type, due, fields),
      },
    ]);
    scheduler.kick();
    return 'accepted';
  }

  function matchesFilter(
    r: InstanceRecord,
    f: { runtimeStatus?: RuntimeStatus[]; createdTimeFrom?: string; createdTimeTo?: string; instanceIdPrefix?: string },
  ): boolean {
    if (f.runtimeStatus?.length && !f.runtimeStatus.includes(r.runtimeStatus)) return false;
    if (f.createdTimeFrom && r.createdTime < new Date(f.createdTimeFrom).toISOString()) return false;
    if (f.createdTimeTo && r.createdTime > new Date(f.createdTimeTo).toISOString()) return false;
    if (f.instanceIdPrefix && !r.instanceId.startsWith(f.instanceIdPrefix)) return false;
    return true;
  }

  const engine: DurableEngine = {
    taskHubName: opts.taskHubName,
    entities: createEntityApi({
      store,
      registrations,
      clock,
      seq: () => scheduler.nextSeq(),
      kick: () => scheduler.kick(),
    }),
    activityLeaseMs,
    orchestratorNames,
    async start() {
      scheduler.start();
    },
    stop: () => scheduler.stop(),
    whenIdle: () => scheduler.whenIdle(),
    stats: () => ({ ...scheduler.stats }),

    async startNew(orchestratorName: string, options: StartOptions) {
      const name = orchestratorNames().find((n) => n.toLowerCase() === orchestratorName.toLowerCase());
      if (!name)
        throw new Error(
          `The function '${orchestratorName}' doesn't exist, is disabled, or is not an orchestrator function.`,
        );
      const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
      if (!instanceId || /[/\\#?]/.test(instanceId))
        throw new Error(`instanceId '${instanceId}' is invalid: it must be non-empty and contain none of / \\ # ?`);
      const existing = await store.getInstance(instanceId);
      if (existing && !OVERRIDABLE.has(existing.runtimeStatus))
        throw new InstanceExistsError(instanceId, existing.runtimeStatus);
      const now = clock.now().toISOString();
      const record: InstanceRecord = {
        instanceId,
        name,
        version: options.version,
        executionId: randomUUID(),
        runtimeStatus: 'Pending',
        input: JSON.stringify(options.input ?? null),
        createdTime: now,
        lastUpdatedTime: now,
        hiddenIds: [],
        retries: {},
        canceledTimers: [],
        etag: existing?.etag,
      };
      if (!(await store.putInstance(record, [startMessage(record, clock.now(), scheduler.nextSeq())], true))) {
        const now2 = await store.getInstance(instanceId);
        throw new InstanceExistsError(instanceId, now2?.runtimeStatus ?? 'Pending');
      }
      if (existing) await store.dropMessages(instanceId, record.executionId);
      scheduler.notify(record);
      scheduler.kick();
      return instanceId;
    },

    async getStatus(instanceId, options = {}) {
      const record = await store.getInstance(instanceId);
      if (!record) return undefined;
      const status = toStatus(record, options.showInput !== false);
      if (options.showHistory) {
        status.historyEvents = historyEventsView(await store.loadHistory(instanceId, record.executionId), options);
      }
      return status;
    },

    async list(filter: ListFilter) {
      const all = (await store.listInstances())
        .filter((r) => r.kind !== 'entity' && matchesFilter(r, filter))
        .sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
      const offset = filter.continuationToken ? Number.parseInt(filter.continuationToken, 10) : 0;
      if (!Number.isInteger(offset) || offset < 0)
        throw new Error(`continuationToken '${filter.continuationToken}' is invalid`);
      const top = filter.top && filter.top > 0 ? filter.top : all.length;
      const page = all.slice(offset, offset + top);
      const more = offset + top < all.length;
      return {
        items: page.map((r) => toStatus(r, filter.showInput !== false)),
        continuationToken: more ? String(offset + top) : undefined,
      };
    },

    async raiseEvent(instanceId, eventName, data) {
      return control(instanceId, EventType.EventRaised, {
        Name: eventName,
        Input: data === undefined ? null : JSON.stringify(data),
      });
    },
    terminate: (instanceId, reason) => control(instanceId, EventType.ExecutionTerminated, { Input: reason ?? '' }),
    suspend: (instanceId, reason) => control(instanceId, EventType.ExecutionSuspended, { Reason: reason ?? '' }),
    resume: (instanceId, reason) => control(instanceId, EventType.ExecutionResumed, { Reason: reason ?? '' }),

    async rewind(instanceId) {
      const result = await rewindInstance(store, instanceId, clock.now(), () => scheduler.nextSeq());
      if (result === 'accepted') scheduler.kick();
      return result;
    },

    async restart(instanceId, { newInstanceId }) {
      const record = await store.getInstance(instanceId);
      if (!record || record.kind === 'entity') throw new InstanceNotFoundError(instanceId);
      return engine.startNew(record.name, {
        instanceId: newInstanceId ? undefined : instanceId,
        input: JSON.parse(record.input),
        version: record.version,
      });
    },

    async purge(instanceId) {
      return (await store.purge(instanceId)) ? 1 : 0;
    },

    async purgeBy(filter) {
      if (!filter.createdTimeFrom) throw new Error('purgeBy: createdTimeFrom is required');
      let n = 0;
      for (const r of await store.listInstances())
        if (matchesFilter(r, filter) && (await store.purge(r.instanceId))) n++;
      return n;
    },

    async waitForInstance(instanceId, statuses = ['Completed', 'Failed', 'Terminated', 'Canceled']) {
      return new Promise<InstanceStatus>((resolve, reject) => {
        let settled = false;
        const off = scheduler.onChange((r) => {
          if (!settled && r.instanceId === instanceId && statuses.includes(r.runtimeStatus)) {
            settled = true;
            off();
            resolve(toStatus(r));
          }
        });
        store.getInstance(instanceId).then(
          (r) => {
            if (!settled && r && statuses.includes(r.runtimeStatus)) {
              settled = true;
              off();
              resolve(toStatus(r));
            }
          },
          (err: unknown) => {
            off();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      });
    },

    scheduleEvent: (instanceId, eventName, data, at) =>
      control(
        instanceId,
        EventType.EventRaised,
        { Name: eventName, Input: data === undefined ? null : JSON.stringify(data) },
        at,
      ),

    async inspect(instanceId) {
      const record = await store.getInstance(instanceId);
      return record ? { record, history: [...(await store.loadHistory(instanceId, record.executionId))] } : undefined;
    },
  };
  return engine;
}

/** The task hub in Azure Storage tables (Azurite locally): survives a killed host. */
export async function createAzureStorageStore(opts: {
  connectionString: string;
  taskHubName: string;
  reuseReads?: boolean;
  wake?: boolean;
}): Promise<TaskHubStore> {
  return TableTaskHubStore.create(opts);
}
