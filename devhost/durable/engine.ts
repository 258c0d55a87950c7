/**
 * The scheduler: finds due messages, runs at most one episode per instance at a time, runs
 * activities under a concurrency limit, and (with a virtual clock) jumps time forward to the next
 * due message whenever nothing else is runnable.
 *
 * Where the store offers an in-process wake (TaskHubStore.writtenWork), work for the messages this
 * process wrote starts from memory: due ones at once, later ones on an in-process timer. The store
 * is scanned once a poll interval (for other processes' writes, expired leases, anything written
 * before a crash) and always before the scheduler calls itself idle or moves a virtual clock on.
 */
import { randomUUID } from 'node:crypto';
import type { Registration } from '../functions/types';
import { runActivity, type ActivityOverride } from './activities';
import { TERMINAL } from './batch';
import type { Clock } from './clock';
import { ensureEntityRecords, runEntityBatch, type EntityBatchInput } from './entities';
import { runEpisode, type EpisodeOutcome } from './episode';
import type { ActivityMessage, EventMessage, InstanceRecord, Message, TaskHubStore } from './store/types';

export interface EngineStats {
  episodes: number;
  activitiesRun: number;
  historyEventsReplayed: number;
  orchestratorMs: number;
  /** Of the episodes' time, what the replay model of the extension and DTFx took (ms). */
  replayModelMs: number;
}

export interface SchedulerOptions {
  registrations: Map<string, Registration>;
  store: TaskHubStore;
  clock: Clock;
  maxConcurrentActivities: number;
  activityOverride?: ActivityOverride;
  /** How long a taken activity stays invisible to other processes (real ms). */
  activityLeaseMs: number;
  /** How often to look for work written by other processes (real clock only). */
  pollIntervalMs: number;
  /** Real ms after which an episode or activity that has not finished is abandoned (default 30 000). */
  workTimeoutMs: number;
  log: (msg: string) => void;
}

export class Scheduler {
  readonly stats: EngineStats = {
    episodes: 0,
    activitiesRun: 0,
    historyEventsReplayed: 0,
    orchestratorMs: 0,
    replayModelMs: 0,
  };
  readonly owner = randomUUID();
  #running = false;
  #pumping = false;
  #again = false;
  #inflight = 0;
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  /** Real ms of the last scan of the store for due messages. */
  #lastScan = -Infinity;
  /** Clock ms when the next message this process wrote falls due (in-process wake). */
  #nextWritten: number | undefined;
  readonly #busy = new Set<string>();
  readonly #activeActivities = new Set<string>();
  /**
   * Instance → ids of the due messages that could not be consumed, and when (real ms). Skipped
   * until that set changes or a poll interval passes, since another process may commit meanwhile.
   */
  readonly #stalled = new Map<string, { signature: string; at: number }>();
  #idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #changeListeners = new Set<(r: InstanceRecord) => void>();
  #failure: unknown;

  constructor(private readonly o: SchedulerOptions) {}

  nextSeq(): number {
    return Date.now() * 1000 + (this.#seq++ % 1000);
  }

  onChange(listener: (r: InstanceRecord) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  notify(record: InstanceRecord): void {
    for (const l of [...this.#changeListeners]) l(record);
  }

  start(): void {
    this.#running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    while (this.#inflight > 0 || this.#pumping) await new Promise((r) => setTimeout(r, 5));
  }

  whenIdle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#idleWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pump()
      .catch((err: unknown) => {
        this.#failure = err;
        this.o.log(`durable engine: scheduler error: ${String(err)}`);
      })
      .finally(() => {
        this.#pumping = false;
        if (this.#failure !== undefined) this.#settleIdle();
        if (this.#running && this.#timer === undefined && this.o.clock.kind === 'real') {
          this.#timer = setTimeout(() => this.kick(), this.o.pollIntervalMs);
          this.#timer.unref();
        }
      });
  }

  async #pump(): Promise<void> {
    let scan = false;
    do {
      this.#again = false;
      const look = await this.#startDueWork(scan);
      scan = false;
      if (look.started || this.#inflight > 0) continue;
      if (!look.scanned) {
        // Nothing this process wrote is runnable: look at the whole store before idling.
        scan = true;
        this.#again = true;
        continue;
      }
      const now = this.o.clock.now().getTime();
      const next = await this.#bounded('looking for the next due message', this.o.store.nextDueAt(now));
      if (this.o.clock.advanceTo && next !== undefined) {
        this.o.clock.advanceTo(new Date(next));
        this.#again = true;
        continue;
      }
      // New work may have arrived while we looked (a kick during the pump): look again first.
      if (this.#again) continue;
      this.#settleIdle();
      if ((this.o.clock.kind === 'real' || this.#stalled.size > 0) && this.#running) {
        const wait =
          next === undefined ? this.o.pollIntervalMs : Math.min(Math.max(next - now, 1), this.o.pollIntervalMs);
        this.#timer = setTimeout(() => this.kick(), wait);
        this.#timer.unref();
      }
    } while (this.#again && this.#running);
    // While work is in flight, nothing else wakes us for messages that fall due meanwhile (timers,
    // expired leases, other processes' writes): keep polling, and wake for this process's own timers.
    if (this.#running && this.#timer === undefined && (this.o.clock.kind === 'real' || this.#stalled.size > 0)) {
      this.#timer = setTimeout(() => this.kick(), this.#pollWait());
      this.#timer.unref();
    }
  }

  /** Until the next poll, or sooner when a message this process wrote falls due first (real clock). */
  #pollWait(): number {
    const next = this.#nextWritten;
    if (next === undefined || this.o.clock.kind !== 'real') return this.o.pollIntervalMs;
    return Math.min(Math.max(next - this.o.clock.now().getTime(), 1), this.o.pollIntervalMs);
  }

  /** A store request that never answers would stop the whole scheduler; give up on it instead. */
  async #bounded<T>(what: string, request: Promise<T>): Promise<T> {
    let guard: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      guard = setTimeout(
        () => reject(new Error(`store did not answer within ${this.o.workTimeoutMs} ms while ${what}`)),
        this.o.workTimeoutMs,
      );
    });
    try {
      return await Promise.race([request, limit]);
    } finally {
      clearTimeout(guard);
    }
  }

  #settleIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    const failure = this.#failure;
    this.#failure = undefined;
    for (const w of waiters) {
      if (failure !== undefined) w.reject(failure);
      else w.resolve();
    }
  }

  /**
   * Starts what is due: from the store's record of what this process wrote, or from a scan of the
   * store when asked, when a poll interval has passed since the last one, or when the store keeps no
   * such record.
   */
  async #startDueWork(scan: boolean): Promise<{ started: boolean; scanned: boolean }> {
    const now = this.o.clock.now().getTime();
    const written = this.o.store.writtenWork?.(now);
    this.#nextWritten = written?.nextDueAt;
    if (written && !scan && Date.now() - this.#lastScan < this.o.pollIntervalMs) {
      const woken = new Map([...written.instances].map(([id, ids]) => [id, { signature: ids.join('|') }]));
      return { started: this.#startWork(woken, written.activities), scanned: false };
    }
    this.#lastScan = Date.now();
    const due = await this.#bounded('looking for due messages', this.o.store.dueMessages(now));
    const byInstance = new Map<string, EventMessage[]>();
    const activities: ActivityMessage[] = [];
    for (const m of due) {
      if (m.kind === 'activity') activities.push(m);
      else {
        const list = byInstance.get(m.instanceId) ?? [];
        list.push(m);
        byInstance.set(m.instanceId, list);
      }
    }
    const found = new Map(
      [...byInstance].map(([id, given]) => [id, { given, signature: given.map((m) => m.id).join('|') }]),
    );
    return { started: this.#startWork(found, activities), scanned: true };
  }

  /**
   * Starts an episode per instance that is not busy (with the messages a scan found, or, woken
   * in-process, reading them itself) and the activities that fit. `signature`: the due message ids.
   */
  #startWork(
    instances: Map<string, { given?: EventMessage[]; signature: string }>,
    activities: ActivityMessage[],
  ): boolean {
    let started = false;
    for (const [instanceId, { given, signature }] of instances) {
      if (this.#busy.has(instanceId)) continue;
      const stall = this.#stalled.get(instanceId);
      if (stall?.signature === signature && Date.now() - stall.at < this.o.pollIntervalMs) continue;
      started = true;
      this.#track(this.#busy, instanceId, () => this.#episode(instanceId, given, signature));
    }
    const realNow = Date.now();
    for (const m of activities) {
      if (this.#activeActivities.size >= this.o.maxConcurrentActivities) break;
      if (this.#activeActivities.has(m.id)) continue;
      if (m.leaseOwner && m.leaseOwner !== this.owner && (m.leaseUntil ?? 0) > realNow) continue;
      started = true;
      this.#track(this.#activeActivities, m.id, () => this.#activity(m));
    }
    return started;
  }

  #track(set: Set<string>, key: string, work: () => Promise<void>): void {
    set.add(key);
    this.#inflight++;
    // A store request that never answers must not pin the instance forever; a late commit of the
    // abandoned episode is harmless because the record's ETag no longer matches.
    let guard: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      guard = setTimeout(() => {
        this.o.log(`durable engine: work item '${key}' took longer than ${this.o.workTimeoutMs} ms; releasing it`);
        resolve();
      }, this.o.workTimeoutMs);
      guard.unref();
    });
    Promise.race([work(), limit])
      .finally(() => clearTimeout(guard))
      .catch((err: unknown) => {
        this.o.log(`durable engine: ${String(err instanceof Error ? err.stack : err)}`);
        // The next look scans: a store that fails keeps failing there and waits for the poll,
        // rather than the in-process wake retrying at once.
        this.#lastScan = -Infinity;
      })
      .finally(() => {
        set.delete(key);
        this.#inflight--;
        this.kick();
      });
  }

  /**
   * `given`: the messages a scan found; absent when woken in-process. A store that reads an instance
   * with its due messages (readInstanceWork) is asked afresh either way: a scan is older than the
   * record read after it, and another process may have consumed a scanned message in between.
   */
  async #episode(instanceId: string, given: EventMessage[] | undefined, signature: string): Promise<void> {
    const { store } = this.o;
    const { record, messages } = store.readInstanceWork
      ? await store.readInstanceWork(instanceId, this.o.clock.now().getTime())
      : { record: await store.getInstance(instanceId), messages: given ?? [] };
    if (messages.length === 0) return;
    if (!record) {
      for (const m of messages) await store.deleteMessage(instanceId, m.id);
      return;
    }
    const outcome =
      record.kind === 'entity'
        ? await entityEpisode({
            record,
            messages,
            now: this.o.clock.now(),
            registrations: this.o.registrations,
            seq: () => this.nextSeq(),
          })
        : await runEpisode({
            record,
            history: await store.loadHistory(instanceId, record.executionId, record),
            messages,
            now: this.o.clock.now(),
            registrations: this.o.registrations,
            seq: () => this.nextSeq(),
          });
    if (!outcome.commit) {
      this.#stalled.set(instanceId, { signature, at: Date.now() });
      return;
    }
    this.#stalled.delete(instanceId);
    this.#warnOnce(outcome.warning);
    for (const child of outcome.children) await this.#createChild(child.record, child.start);
    await ensureEntityRecords(store, this.o.registrations, outcome.commit.send, this.o.clock.now());
    if (!(await store.commitEpisode(outcome.commit))) {
      this.o.log(`durable engine: instance '${instanceId}' changed during an episode; it will be retried`);
      return;
    }
    if (outcome.invoked) {
      this.stats.episodes++;
      this.stats.historyEventsReplayed += outcome.replayedEvents;
      this.stats.orchestratorMs += outcome.orchestratorMs;
      this.stats.replayModelMs += outcome.replayModelMs ?? 0;
    }
    for (const id of outcome.deleteMessages) await store.deleteMessage(instanceId, id);
    if (outcome.drop) await store.dropMessages(instanceId, outcome.drop.keepExecutionId);
    this.notify(outcome.commit.instance);
  }

  readonly #warned = new Set<string>();
  #warnOnce(warning: string | undefined): void {
    if (warning === undefined || this.#warned.has(warning) || this.#warned.size >= 1000) return;
    this.#warned.add(warning);
    this.o.log(`durable engine: ${warning}`);
  }

  async #createChild(child: InstanceRecord, start: EventMessage): Promise<void> {
    const { store } = this.o;
    const existing = await store.getInstance(child.instanceId);
    const p = child.parent;
    if (
      existing &&
      p &&
      existing.parent?.instanceId === p.instanceId &&
      existing.parent.executionId === p.executionId &&
      existing.parent.taskId === p.taskId
    )
      return;
    if (existing && !TERMINAL.has(existing.runtimeStatus)) {
      if (p) {
        await store.putMessages([
          {
            kind: 'event',
            id: `sub-${p.executionId}-${p.taskId}`,
            instanceId: p.instanceId,
            executionId: p.executionId,
            dueAt: this.o.clock.now().getTime(),
            seq: this.nextSeq(),
            event: {
              EventType: 9,
              EventId: -1,
              IsPlayed: false,
              Timestamp: this.o.clock.now().toISOString(),
              TaskScheduledId: p.taskId,
              Reason: `An instance with ID '${child.instanceId}' already exists.`,
              Details: '',
            },
          },
        ]);
      }
      return;
    }
    await store.putInstance({ ...child, etag: existing?.etag }, [start], true);
    if (existing) await store.dropMessages(child.instanceId, child.executionId);
  }

  async #activity(m: ActivityMessage): Promise<void> {
    const { store, clock } = this.o;
    const lease = this.o.activityLeaseMs;
    if (!(await store.leaseActivity(m, this.owner, Date.now() + lease))) return;
    // Renewed while the activity runs, as DTFx's TaskActivityDispatcher.RenewUntil does, so only a
    // host that died loses its activities; a long activity is never started twice.
    const renewal = setInterval(() => {
      store
        .leaseActivity(m, this.owner, Date.now() + lease)
        .catch((err: unknown) =>
          this.o.log(`durable engine: renewing the lease of activity '${m.id}' failed: ${String(err)}`),
        );
    }, activityLeaseRenewalMs(lease));
    renewal.unref();
    let event;
    try {
      event = await runActivity(
        this.o.registrations,
        { instanceId: m.instanceId, taskId: m.taskId, name: m.name, inputJson: m.input },
        () => clock.now(),
        this.o.activityOverride,
      );
    } finally {
      clearInterval(renewal);
    }
    this.stats.activitiesRun++;
    const done: Message = {
      kind: 'event',
      id: `done-${m.executionId}-${m.taskId}`,
      instanceId: m.instanceId,
      executionId: m.executionId,
      dueAt: clock.now().getTime(),
      seq: this.nextSeq(),
      event,
    };
    await store.putMessages([done]);
    await store.deleteMessage(m.instanceId, m.id);
  }
}

/** An entity batch in the shape of an orchestration episode, so the scheduler commits both alike. */
async function entityEpisode(input: EntityBatchInput): Promise<EpisodeOutcome> {
  const { commit, orchestratorMs } = await runEntityBatch(input);
  return { commit, children: [], deleteMessages: [], invoked: true, replayedEvents: 0, orchestratorMs };
}

/**
 * When to renew an activity lease: DTFx renews 30 s before the lock runs out (TaskActivityDispatcher.RenewUntil);
 * leases of a minute or less are renewed at half-time so short test leases keep a margin.
 */
export function activityLeaseRenewalMs(leaseMs: number): number {
  return leaseMs > 60_000 ? leaseMs - 30_000 : Math.max(leaseMs / 2, 1);
}
