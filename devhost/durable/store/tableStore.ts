/**
 * Durable task hub store on Azure Table Storage (Azurite locally), so a killed devhost resumes every
 * instance where it stopped. One table, `<taskHubName>DevHost` (see devhostTableName), one partition per instance holding
 * its record, its history and its pending messages (layout in tableRows.ts), so that a commit is an
 * entity-group transaction: history appends, message acknowledgements and the ETag-guarded record
 * update land together or not at all.
 *
 * A commit too big for one transaction (100 operations, 4 MiB) is written as a chain: every earlier
 * transaction carries history or self-addressed message rows plus an ETag-guarded touch of the
 * record, so a concurrent episode cannot interleave and a stale one fails on its first write. The
 * record itself (with the new history length) changes only in the last transaction; history rows
 * of a chain that died midway lie past the committed length and are never read. Consumed messages
 * that do not fit in the last transaction are listed in the record as pending acknowledgements:
 * dueMessages hides them and they are deleted right after (or by the next commit), so a crash
 * neither loses nor redelivers work.
 *
 * Fewer reads: the store remembers, per instance, the record state (history key, committed length,
 * pending acknowledgements) at the ETag it last read or wrote. An episode hands its record to
 * loadHistory and commitEpisode, which then skip reading the record again when that ETag is the one
 * remembered; a message send skips the existence read for an instance it knows; a lease uses the
 * ETag the message scan returned. Every write stays guarded by the ETag, so another writer meanwhile
 * still fails the commit (412) exactly as before. And a message scan drops the rows this store deleted
 * while the scan ran: a scan that began before an episode's commit would otherwise hand the next
 * episode messages that commit already consumed, whose acknowledgement then fails (404) and costs a
 * record read, a partition query and a second transaction to recover.
 *
 * In-process wake (writtenMessages.ts): the store remembers the messages it wrote (with the ETag of
 * each write) until it deletes them, so the scheduler starts their work from memory and scans the
 * table only on its poll interval. Every episode reads its instance's record and due messages in one
 * partition query (readInstanceWork), so it delivers only what the table holds then; and a commit
 * whose consumed message is already gone fails like a 412 (it was built from an older view).
 */
import { randomUUID } from 'node:crypto';
import {
  odata,
  TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';
import { isLoopbackUrl } from '../../localstack/loopback';
import type { HistoryEvent } from '../history';
import {
  HISTORY_END,
  HISTORY_PREFIX,
  MESSAGE_END,
  MESSAGE_PREFIX,
  RECORD_ROW,
  assembleHistory,
  dueKey,
  encodeKey,
  messageRow,
  messageRowKey,
  readMessageRow,
  readPendingAcks,
  readRecordRow,
  recordRow,
  historyRows,
  type RecordState,
} from './tableRows';
import type {
  ActivityMessage,
  EpisodeCommit,
  EventMessage,
  InstanceRecord,
  InstanceWork,
  Message,
  TaskHubStore,
  WrittenWork,
} from './types';
import { WrittenMessages } from './writtenMessages';

export interface TableTaskHubStoreOptions {
  /** Storage connection string; plain http only to a loopback endpoint (Azurite). */
  connectionString: string;
  /** Letters and digits, starting with a letter; names the table (devhostTableName). */
  taskHubName: string;
  /**
   * false: read the record before every use, as if nothing were remembered (the bench's "before"
   * side of the task-hub read count). Default true.
   */
  reuseReads?: boolean;
  /**
   * false: no in-process wake; the scheduler scans the table for due messages on every look (the
   * bench's "wake off" side). Default true.
   */
  wake?: boolean;
}

type Row = TableEntity<Record<string, unknown>>;
type StoredRow = TableEntityResult<Record<string, unknown>>;

const TX_OPS = 100;
/** Below the 4 MiB transaction payload limit, leaving room for the multipart framing. */
const TX_BYTES = 3_000_000;
const ACK_SELECT = ['PartitionKey', 'RowKey', 'acking', 'an', ...Array.from({ length: 15 }, (_, i) => `a${i}`)];

const statusOf = (e: unknown): number | undefined => {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
};
const rowBytes = (row: Row): number => Buffer.byteLength(JSON.stringify(row)) + 256;

/** Instances whose history is kept in memory; about 20 KB each for the saga. */
const HISTORY_CACHE_SIZE = 2000;
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated']);
/** Instances whose record state (about 200 bytes) is remembered by ETag. */
const STATE_CACHE_SIZE = 20_000;

interface KnownState {
  etag: string;
  executionId: string;
  state: RecordState;
}

export class TableTaskHubStore implements TaskHubStore {
  /**
   * History an episode committed, so the next episode of the instance skips the partition query.
   * Safe with other writers too: rows below a history key's committed length never change, and a
   * restart of the history gets a new key, so an entry is used only when its key matches the
   * record's and it holds at least the committed length.
   */
  private readonly histories = new Map<string, { historyKey: string; events: HistoryEvent[] }>();

  /** Record state at the ETag this store last read or wrote, per partition (see the file comment). */
  private readonly states = new Map<string, KnownState>();

  /** Ticks of a logical clock: when each running message scan began and when each message delete finished. */
  private tick = 0;
  private readonly scansRunning = new Set<number>();
  private readonly deletedAt = new Map<string, number>();

  /** Messages this store wrote and has not deleted: the in-process wake (undefined when off). */
  private readonly written: WrittenMessages | undefined;

  private constructor(
    private readonly table: TableClient,
    private readonly reuseReads: boolean,
    wake: boolean,
  ) {
    this.written = wake ? new WrittenMessages() : undefined;
  }

  static async create(opts: TableTaskHubStoreOptions): Promise<TableTaskHubStore> {
    if (!/^[A-Za-z][A-Za-z0-9]{2,53}$/.test(opts.taskHubName ?? '')) {
      throw new Error(`taskHubName must be 3-54 letters or digits starting with a letter, got '${opts.taskHubName}'`);
    }
    if (!opts.connectionString) throw new Error('connectionString is required for the table task hub store');
    const endpoint = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(opts.connectionString)?.[1];
    const dev = /usedevelopmentstorage=true/i.test(opts.connectionString);
    if (!endpoint && !dev) throw new Error('connectionString has no TableEndpoint for the table task hub store');
    if (endpoint?.startsWith('http:') && !isLoopbackUrl(endpoint)) {
      throw new Error(`connectionString uses plain http to a non-loopback table endpoint (${endpoint})`);
    }
    const table = TableClient.fromConnectionString(opts.connectionString, devhostTableName(opts.taskHubName), {
      allowInsecureConnection: dev || (endpoint !== undefined && isLoopbackUrl(endpoint)),
    });
    try {
      await table.createTable();
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
    return new TableTaskHubStore(table, opts.reuseReads ?? true, opts.wake ?? true);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = await this.readRecord(encodeKey(instanceId));
    return row && readRecordRow(row).record;
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const out: InstanceRecord[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq ${RECORD_ROW}` },
    })) {
      out.push(readRecordRow(row).record);
    }
    return out;
  }

  async loadHistory(instanceId: string, executionId: string, known?: InstanceRecord): Promise<HistoryEvent[]> {
    const pk = encodeKey(instanceId);
    const current = await this.stateAt(pk, known);
    if (!current) return [];
    const { state } = current;
    if (current.executionId !== executionId || state.historyLength === 0) return [];
    const cached = this.histories.get(pk);
    if (cached?.historyKey === state.historyKey && cached.events.length >= state.historyLength) {
      return cached.events.slice(0, state.historyLength);
    }
    const prefix = `${HISTORY_PREFIX}${state.historyKey}|`;
    const rows = await this.partitionRows(pk, prefix, `${HISTORY_PREFIX}${state.historyKey}}`);
    const events = assembleHistory(rows, state.historyLength);
    this.remember(pk, state.historyKey, events);
    return events;
  }

  private remember(pk: string, historyKey: string, events: HistoryEvent[]): void {
    this.histories.delete(pk);
    this.histories.set(pk, { historyKey, events: [...events] });
    if (this.histories.size > HISTORY_CACHE_SIZE) this.histories.delete(this.histories.keys().next().value as string);
  }

  /** After a commit: extend the cached history, or forget it when it cannot be extended. */
  private rememberCommit(pk: string, commit: EpisodeCommit, historyKey: string, first: number): void {
    const cached = this.histories.get(pk);
    if (TERMINAL.has(commit.instance.runtimeStatus)) this.histories.delete(pk);
    else if (first === 0) this.remember(pk, historyKey, commit.append);
    else if (cached?.historyKey === historyKey && cached.events.length === first)
      this.remember(pk, historyKey, [...cached.events, ...commit.append]);
    else this.histories.delete(pk);
  }

  async commitEpisode(commit: EpisodeCommit): Promise<boolean> {
    const { instance } = commit;
    const pk = encodeKey(instance.instanceId);
    const stored = await this.stateAt(pk, instance);
    if (!stored || stored.etag !== instance.etag) return false;
    const { state } = stored;
    // Acknowledgements a previous commit left pending are part of its committed state; finish them
    // before this commit's record (which no longer lists them) replaces that one.
    await this.deleteRows(pk, state.pendingAcks.map(messageRowKey));

    const consumed = [...new Set(commit.consumed)];
    const consumedSet = new Set(consumed);
    const own = dedupe(commit.send.filter((m) => m.instanceId === instance.instanceId && !consumedSet.has(m.id)));
    await this.upsertMessages(commit.send.filter((m) => m.instanceId !== instance.instanceId));

    const historyKey = commit.replaceHistory ? newHistoryKey() : state.historyKey;
    const first = commit.replaceHistory ? 0 : state.historyLength;
    const writes = [...historyRows(pk, historyKey, first, commit.append), ...own.map((m) => messageRow(pk, m))];
    const next: RecordState = { historyKey, historyLength: first + commit.append.length, pendingAcks: [] };
    const rowEtags = new Map<string, string>();
    const etag = await this.writeChain(pk, instance, instance.etag, writes, consumed, next, rowEtags);
    if (etag === undefined) {
      this.histories.delete(pk);
      this.states.delete(pk);
      return false;
    }
    this.know(pk, etag, instance.executionId, next);
    this.written?.forget(pk, consumed.map(messageRowKey));
    this.noteWritten(pk, own, rowEtags);
    this.rememberCommit(pk, commit, historyKey, first);
    if (commit.replaceHistory) await this.dropOldHistory(pk, historyKey);
    return true;
  }

  async putInstance(instance: InstanceRecord, messages: Message[], replaceHistory: boolean): Promise<boolean> {
    const pk = encodeKey(instance.instanceId);
    const ownMessages = dedupe(messages.filter((m) => m.instanceId === instance.instanceId));
    const own = ownMessages.map((m) => messageRow(pk, m));
    const rowEtags = new Map<string, string>();
    if (instance.etag === undefined) {
      const leftovers = await this.partitionRows(pk, '', '~', ['RowKey']);
      if (leftovers.some((r) => r.rowKey === RECORD_ROW)) return false;
      // Rows of an instance that no longer exists: a purge that died midway, or a send that raced it.
      await this.deleteRows(
        pk,
        leftovers.map((r) => String(r.rowKey)),
      );
      const state: RecordState = { historyKey: newHistoryKey(), historyLength: 0, pendingAcks: [] };
      const row = recordRow(pk, instance, state);
      const fit = fitting(own, TX_OPS - 1, TX_BYTES - rowBytes(row));
      try {
        const actions: TransactionAction[] = [
          ['create', row],
          ...fit.map((r): TransactionAction => ['upsert', r, 'Replace']),
        ];
        const created = await this.table.submitTransaction(actions);
        const etag = created.subResponses[0]?.etag;
        if (etag) this.know(pk, etag, instance.executionId, state);
        collectEtags(rowEtags, actions, created.subResponses);
      } catch (e) {
        if (statusOf(e) === 409) return false;
        throw e;
      }
      await this.upsertRows(own.slice(fit.length), rowEtags);
    } else {
      const stored = await this.readRecord(pk);
      if (!stored || stored.etag !== instance.etag) return false;
      const { state } = readRecordRow(stored);
      const next: RecordState = replaceHistory
        ? { historyKey: newHistoryKey(), historyLength: 0, pendingAcks: state.pendingAcks }
        : state;
      const etag = await this.writeChain(pk, instance, instance.etag, own, [], next, rowEtags);
      if (etag === undefined) return false;
      this.know(pk, etag, instance.executionId, next);
      if (replaceHistory) await this.dropOldHistory(pk, next.historyKey);
    }
    this.noteWritten(pk, ownMessages, rowEtags);
    await this.upsertMessages(messages.filter((m) => m.instanceId !== instance.instanceId));
    return true;
  }

  async putMessages(messages: Message[]): Promise<void> {
    await this.upsertMessages(messages);
  }

  async dueMessages(now: number, limit = Infinity): Promise<Message[]> {
    const filter = `(${odata`RowKey ge ${MESSAGE_PREFIX} and RowKey lt ${MESSAGE_END} and due le ${dueKey(Math.ceil(now))}`}) or (${odata`RowKey eq ${RECORD_ROW} and acking eq ${true}`})`;
    const acked = new Set<string>();
    const due: Message[] = [];
    const began = ++this.tick;
    this.scansRunning.add(began);
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        if (row.rowKey === RECORD_ROW)
          for (const id of readPendingAcks(row)) acked.add(`${row.partitionKey}\n${messageRowKey(id)}`);
        else {
          const m = readMessageRow(row);
          if (m.dueAt <= now) due.push(m);
        }
      }
      // Deleted after the scan began: the scan may have read the row before it went.
      for (const m of due) {
        const key = `${encodeKey(m.instanceId)}\n${messageRowKey(m.id)}`;
        if ((this.deletedAt.get(key) ?? 0) > began) acked.add(key);
      }
    } finally {
      this.scansRunning.delete(began);
      this.forgetDeletes();
    }
    return due
      .filter((m) => !acked.has(`${encodeKey(m.instanceId)}\n${messageRowKey(m.id)}`))
      .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)
      .slice(0, limit);
  }

  async nextDueAt(now: number): Promise<number | undefined> {
    const filter = `(${odata`RowKey ge ${MESSAGE_PREFIX} and RowKey lt ${MESSAGE_END} and due ge ${dueKey(Math.floor(now))}`}) or (${odata`RowKey eq ${RECORD_ROW} and acking eq ${true}`})`;
    const acked = new Set<string>();
    const later: { key: string; dueAt: number }[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: [...ACK_SELECT, 'dueAt'] },
    })) {
      if (row.rowKey === RECORD_ROW)
        for (const id of readPendingAcks(row)) acked.add(`${row.partitionKey}\n${messageRowKey(id)}`);
      else later.push({ key: `${row.partitionKey}\n${row.rowKey}`, dueAt: Number(row.dueAt) });
    }
    let next: number | undefined;
    for (const m of later)
      if (m.dueAt > now && !acked.has(m.key) && (next === undefined || m.dueAt < next)) next = m.dueAt;
    return next;
  }

  writtenWork(now: number): WrittenWork | undefined {
    return this.written?.work(now);
  }

  async readInstanceWork(instanceId: string, now: number): Promise<InstanceWork> {
    const pk = encodeKey(instanceId);
    const began = ++this.tick;
    const filter = odata`PartitionKey eq ${pk} and (RowKey eq ${RECORD_ROW} or (RowKey ge ${MESSAGE_PREFIX} and RowKey lt ${MESSAGE_END} and due le ${dueKey(Math.ceil(now))}))`;
    let record: InstanceRecord | undefined;
    const rows: StoredRow[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (row.rowKey !== RECORD_ROW) rows.push(row);
      else {
        const read = readRecordRow(row);
        this.know(pk, row.etag, read.record.executionId, read.state);
        record = read.record;
      }
    }
    if (!record) this.states.delete(pk);
    const acked = new Set((this.states.get(pk)?.state.pendingAcks ?? []).map(messageRowKey));
    const present = new Set<string>();
    const messages: EventMessage[] = [];
    for (const row of rows) {
      const rk = String(row.rowKey);
      if (acked.has(rk)) continue;
      present.add(rk);
      const m = readMessageRow(row);
      if (m.kind === 'event' && m.dueAt <= now) messages.push(m);
    }
    this.written?.reconcile(pk, now, began, present);
    return { record, messages: messages.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq) };
  }

  async leaseActivity(message: ActivityMessage, owner: string, until: number): Promise<boolean> {
    const pk = encodeKey(message.instanceId);
    const rk = messageRowKey(message.id);
    const taken = await this.takeLease(pk, rk, message, owner, until);
    // Held elsewhere or gone: not ours to wake for any more; the scan finds it if its lease runs out.
    if (!taken) this.written?.forget(pk, [rk]);
    return taken;
  }

  private async takeLease(
    pk: string,
    rk: string,
    message: ActivityMessage,
    owner: string,
    until: number,
  ): Promise<boolean> {
    // First with the ETag and lease the scan returned: no read. If the row changed since (a lease,
    // a renewal), decide again on a fresh read, exactly as without the shortcut.
    if (this.reuseReads && message.etag !== undefined) {
      const taken = await this.lease(pk, rk, message, owner, until);
      if (taken !== 'changed') return taken;
    }
    let stored: StoredRow;
    try {
      stored = await this.table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
    if (stored.kind !== 'activity') return false;
    return (await this.lease(pk, rk, stored, owner, until)) === true;
  }

  /** Takes the lease if `seen` shows it free or ours; 'changed' when the row's ETag moved on. */
  private async lease(
    pk: string,
    rk: string,
    seen: { etag?: string; leaseOwner?: unknown; leaseUntil?: unknown },
    owner: string,
    until: number,
  ): Promise<boolean | 'changed'> {
    if (typeof seen.leaseOwner === 'string' && seen.leaseOwner !== owner && Number(seen.leaseUntil ?? 0) > Date.now())
      return false;
    try {
      await this.table.updateEntity({ partitionKey: pk, rowKey: rk, leaseOwner: owner, leaseUntil: until }, 'Merge', {
        etag: seen.etag,
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 412) return 'changed';
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async deleteMessage(instanceId: string, messageId: string): Promise<void> {
    await this.deleteRows(encodeKey(instanceId), [messageRowKey(messageId)]);
  }

  async dropMessages(instanceId: string, keepExecutionId?: string): Promise<void> {
    const pk = encodeKey(instanceId);
    if (!(await this.exists(pk))) return;
    const rows = await this.partitionRows(pk, MESSAGE_PREFIX, MESSAGE_END, ['RowKey', 'ex']);
    const doomed = rows.filter(
      (r) => !(keepExecutionId !== undefined && (r.ex === undefined || r.ex === null || r.ex === keepExecutionId)),
    );
    await this.deleteRows(
      pk,
      doomed.map((r) => String(r.rowKey)),
    );
  }

  async purge(instanceId: string): Promise<boolean> {
    const pk = encodeKey(instanceId);
    this.states.delete(pk);
    this.histories.delete(pk);
    this.written?.forgetPartition(pk);
    const rows = await this.partitionRows(pk, '', '~', ['RowKey']);
    const keys = rows.map((r) => String(r.rowKey));
    const existed = keys.includes(RECORD_ROW);
    // Record and messages first (one transaction when they fit): a crash then leaves only history
    // rows, which nothing reads and which a later putInstance of the same id sweeps away.
    const rank = (k: string): number => (k === RECORD_ROW ? 0 : k.startsWith(MESSAGE_PREFIX) ? 1 : 2);
    await this.deleteRows(
      pk,
      keys.sort((a, b) => rank(a) - rank(b)),
    );
    return existed;
  }

  // ---- internals ----

  private async readRecord(pk: string): Promise<StoredRow | undefined> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(pk, RECORD_ROW);
      const record = readRecordRow(row);
      this.know(pk, row.etag, record.record.executionId, record.state);
      return row;
    } catch (e) {
      if (statusOf(e) === 404) {
        this.states.delete(pk);
        return undefined;
      }
      throw e;
    }
  }

  private know(pk: string, etag: string, executionId: string, state: RecordState): void {
    this.states.delete(pk);
    this.states.set(pk, { etag, executionId, state });
    if (this.states.size > STATE_CACHE_SIZE) this.states.delete(this.states.keys().next().value as string);
  }

  /** The record state at `known`'s ETag when remembered, else as read now. */
  private async stateAt(pk: string, known?: InstanceRecord): Promise<KnownState | undefined> {
    const remembered = this.reuseReads ? this.states.get(pk) : undefined;
    if (remembered && known?.etag !== undefined && remembered.etag === known.etag) return remembered;
    const row = await this.readRecord(pk);
    return row && this.states.get(pk);
  }

  /**
   * Whether the instance exists, read unless this store has seen its record. A purge by another
   * process can make that stale; a message sent meanwhile lands in a partition with no record,
   * where the next episode deletes it and the next putInstance of the id sweeps it away.
   */
  private async exists(pk: string): Promise<boolean> {
    if (this.reuseReads && this.states.has(pk)) return true;
    return (await this.readRecord(pk)) !== undefined;
  }

  private async partitionRows(pk: string, from: string, to: string, select?: string[]): Promise<StoredRow[]> {
    const rows: StoredRow[] = [];
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, ...(select ? { select } : {}) },
    }))
      rows.push(row);
    return rows;
  }

  /**
   * Writes `writes`, deletes `consumed` messages and replaces the record, guarded by `etag` at
   * every step. Returns the record's new etag, or undefined when another writer got there first.
   */
  private async writeChain(
    pk: string,
    instance: InstanceRecord,
    etag: string | undefined,
    writes: Row[],
    consumed: string[],
    next: RecordState,
    rowEtags: Map<string, string>,
  ): Promise<string | undefined> {
    let current = etag;
    let pending = writes;
    let deletes = consumed.map(messageRowKey);
    let retries = 0;
    for (;;) {
      const plain = recordRow(pk, instance, next);
      if (
        pending.length + deletes.length + 1 > TX_OPS ||
        pending.reduce((n, r) => n + rowBytes(r), rowBytes(plain)) > TX_BYTES
      ) {
        // Chain step: as many writes as fit, plus a guarded touch of the record.
        const chunk = pending.length ? fitting(pending, TX_OPS - 1, TX_BYTES - 1024) : [];
        if (chunk.length) {
          const touched = await this.guarded(
            pk,
            current,
            chunk.map((r): TransactionAction => ['upsert', r, 'Replace']),
            ['update', { partitionKey: pk, rowKey: RECORD_ROW, pend: randomUUID() }, 'Merge', { etag: current }],
            rowEtags,
          );
          if (touched === undefined) return undefined;
          current = touched;
          pending = pending.slice(chunk.length);
          continue;
        }
      }
      const inFinal = deletes.slice(0, TX_OPS - 1 - pending.length);
      const overflow = deletes.slice(inFinal.length);
      const final = recordRow(pk, instance, {
        ...next,
        pendingAcks: [...next.pendingAcks, ...overflow.map((rk) => idOfRowKey(consumed, rk))],
      });
      try {
        const actions: TransactionAction[] = [
          ...pending.map((r): TransactionAction => ['upsert', r, 'Replace']),
          ...inFinal.map((rk): TransactionAction => ['delete', { partitionKey: pk, rowKey: rk }]),
        ];
        const result = await this.guarded(
          pk,
          current,
          actions,
          ['update', final, 'Replace', { etag: current }],
          rowEtags,
        );
        if (result === undefined) return undefined;
        this.noteDeleted(pk, inFinal);
        if (overflow.length) await this.finishAcks(pk, result, overflow);
        return result;
      } catch (e) {
        // A consumed message already gone (deleted elsewhere) fails the whole transaction with 404.
        if (statusOf(e) !== 404 || ++retries > 3) throw e;
        // Nothing of this commit written yet: it was built from a view older than that delete, and
        // committing without the message could deliver its event a second time. Fail it like a 412;
        // the episode runs again on a fresh read. A chain already under way must finish instead.
        if (current === etag) return undefined;
        const stored = await this.readRecord(pk);
        if (!stored || stored.etag !== current) return undefined;
        const present = new Set(
          (await this.partitionRows(pk, MESSAGE_PREFIX, MESSAGE_END, ['RowKey'])).map((r) => String(r.rowKey)),
        );
        deletes = deletes.filter((rk) => present.has(rk));
      }
    }
  }

  /**
   * Submits `actions` plus the guarded record action; the record's new etag, or undefined on 412.
   * The ETags of the upserted rows go to `rowEtags`.
   */
  private async guarded(
    pk: string,
    etag: string | undefined,
    actions: TransactionAction[],
    recordAction: TransactionAction,
    rowEtags: Map<string, string>,
  ): Promise<string | undefined> {
    if (etag === undefined) return undefined;
    try {
      const response = await this.table.submitTransaction([...actions, recordAction]);
      collectEtags(rowEtags, actions, response.subResponses);
      // Sub-responses come in request order; update responses carry no row key to look them up by.
      const next = response.subResponses[actions.length]?.etag;
      if (!next) throw new Error(`table transaction on instance partition '${pk}' returned no etag for the record`);
      return next;
    } catch (e) {
      if (statusOf(e) === 412) return undefined;
      if (statusOf(e) === 404 && !(await this.readRecord(pk))) return undefined;
      throw e;
    }
  }

  private async finishAcks(pk: string, etag: string, rowKeys: string[]): Promise<void> {
    await this.deleteRows(pk, rowKeys);
    try {
      await this.table.updateEntity({ partitionKey: pk, rowKey: RECORD_ROW, acking: false, an: 1, a0: '[]' }, 'Merge', {
        etag,
      });
    } catch (e) {
      // Another commit already replaced the record (and finished these acknowledgements first).
      if (statusOf(e) !== 412 && statusOf(e) !== 404) throw e;
    }
  }

  /** Upserts messages partition by partition; messages for an instance that does not exist vanish. */
  private async upsertMessages(messages: Message[]): Promise<void> {
    const byInstance = new Map<string, Message[]>();
    for (const m of messages) byInstance.set(m.instanceId, [...(byInstance.get(m.instanceId) ?? []), m]);
    for (const [instanceId, list] of byInstance) {
      const pk = encodeKey(instanceId);
      if (!(await this.exists(pk))) continue;
      const unique = dedupe(list);
      const rowEtags = new Map<string, string>();
      await this.upsertRows(
        unique.map((m) => messageRow(pk, m)),
        rowEtags,
      );
      this.noteWritten(pk, unique, rowEtags);
    }
  }

  private async upsertRows(rows: Row[], rowEtags: Map<string, string>): Promise<void> {
    let rest = rows;
    while (rest.length) {
      const chunk = fitting(rest, TX_OPS, TX_BYTES);
      const actions = chunk.map((r): TransactionAction => ['upsert', r, 'Replace']);
      collectEtags(rowEtags, actions, (await this.table.submitTransaction(actions)).subResponses);
      rest = rest.slice(chunk.length);
    }
  }

  /** Messages now in the table, for the in-process wake (after the write, so a crash before it loses nothing). */
  private noteWritten(pk: string, messages: Message[], rowEtags: Map<string, string>): void {
    if (!this.written || messages.length === 0) return;
    const at = ++this.tick;
    for (const m of messages) {
      const rk = messageRowKey(m.id);
      this.written.add(pk, rk, m, at, rowEtags.get(rk));
    }
  }

  /** Deletes rows in transactions of 100; a batch that hits a row already gone is redone row by row. */
  private async deleteRows(pk: string, rowKeys: string[]): Promise<void> {
    await this.deleteRowsNow(pk, rowKeys);
    this.noteDeleted(pk, rowKeys);
  }

  /**
   * Message rows this store deleted: gone from the in-process wake, and kept while a scan runs so
   * that scan does not hand them out (see the file comment).
   */
  private noteDeleted(pk: string, rowKeys: string[]): void {
    this.written?.forget(pk, rowKeys);
    if (!this.reuseReads || this.scansRunning.size === 0) return;
    const at = ++this.tick;
    for (const rk of rowKeys) if (rk.startsWith(MESSAGE_PREFIX)) this.deletedAt.set(`${pk}\n${rk}`, at);
  }

  /** Deletes no running scan can have missed any more. */
  private forgetDeletes(): void {
    if (this.scansRunning.size === 0) this.deletedAt.clear();
    else {
      const oldest = Math.min(...this.scansRunning);
      for (const [key, at] of this.deletedAt) if (at < oldest) this.deletedAt.delete(key);
    }
  }

  private async deleteRowsNow(pk: string, rowKeys: string[]): Promise<void> {
    for (let i = 0; i < rowKeys.length; i += TX_OPS) {
      const batch = rowKeys.slice(i, i + TX_OPS);
      try {
        await this.table.submitTransaction(
          batch.map((rk): TransactionAction => ['delete', { partitionKey: pk, rowKey: rk }]),
        );
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
        for (const rk of batch) {
          try {
            await this.table.deleteEntity(pk, rk);
          } catch (err) {
            if (statusOf(err) !== 404) throw err;
          }
        }
      }
    }
  }

  /** History rows of earlier histories (before a continue-as-new, restart or rewind). */
  private async dropOldHistory(pk: string, currentKey: string): Promise<void> {
    const rows = await this.partitionRows(pk, HISTORY_PREFIX, HISTORY_END, ['RowKey']);
    await this.deleteRows(
      pk,
      rows.map((r) => String(r.rowKey)).filter((rk) => !rk.startsWith(`${HISTORY_PREFIX}${currentKey}|`)),
    );
  }
}

/**
 * The devhost's table for a task hub. The Azure Storage provider names its tables `<hub>Instances`,
 * `<hub>History` and `<hub>Partitions` (DurableTask.AzureStorage); a name ending in `DevHost` is
 * none of those for any hub, so the devhost and a real host can share one Azurite account.
 */
export function devhostTableName(taskHubName: string): string {
  return `${taskHubName}DevHost`;
}

function newHistoryKey(): string {
  return randomUUID().replace(/-/g, '');
}

/** The longest prefix of `rows` that fits in one transaction. */
function fitting(rows: Row[], maxOps: number, maxBytes: number): Row[] {
  let bytes = 0;
  let n = 0;
  while (n < rows.length && n < maxOps && (n === 0 || bytes + rowBytes(rows[n]!) <= maxBytes))
    bytes += rowBytes(rows[n++]!);
  return rows.slice(0, n);
}

/** The ETag each upserted row got, from a transaction's sub-responses (they come in request order). */
function collectEtags(
  into: Map<string, string>,
  actions: readonly TransactionAction[],
  responses: readonly { etag?: string }[],
): void {
  actions.forEach((a, i) => {
    const etag = responses[i]?.etag;
    if (a[0] === 'upsert' && etag) into.set(a[1].rowKey, etag);
  });
}

/** Last write wins, as in a map: a transaction may touch each row once. */
function dedupe(messages: Message[]): Message[] {
  return [...new Map(messages.map((m) => [m.id, m])).values()];
}

function idOfRowKey(ids: string[], rowKey: string): string {
  const id = ids.find((i) => messageRowKey(i) === rowKey);
  if (id === undefined) throw new Error(`no consumed message id for row '${rowKey}'`);
  return id;
}
