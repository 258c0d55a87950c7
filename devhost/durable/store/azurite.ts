/**
 * Task hub store on Azure Table storage (Azurite locally), tables only. One table per task hub;
 * one partition per instance holds:
 *   RowKey 'instance'            the InstanceRecord (+ `chunks`, the number of history rows)
 *   RowKey 'h-<execution>-<n>'   history events appended by one commit
 *   RowKey 'm-<message id>'      a pending message (event or activity), with `dueAt`
 * An episode's commit is one entity-group transaction in that partition: update the record
 * (If-Match its ETag), add the history row, delete the consumed messages. So a message is
 * acknowledged exactly when the state it produced is persisted, and two processes cannot both
 * commit an episode of the same instance. Messages to other instances or new work are upserted
 * before the transaction under deterministic ids, so a crash between the two re-sends the same
 * rows. Values are JSON split across string properties (64 KiB limit per property).
 */
import { odata, TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { HistoryEvent } from '../history';
import type { ActivityMessage, EpisodeCommit, InstanceRecord, Message, TaskHubStore } from './types';

const CHUNK = 30_000;
const MAX_ROW_CHARS = 600_000;
const INSTANCE = 'instance';

type Row = TableEntity<Record<string, unknown>> & { etag?: string };

function packJson(value: unknown): Record<string, string | number> {
  const text = JSON.stringify(value);
  const props: Record<string, string | number> = { parts: Math.ceil(text.length / CHUNK) || 1 };
  for (let i = 0, p = 0; i < text.length || p === 0; i += CHUNK, p++) props[`d${p}`] = text.slice(i, i + CHUNK);
  return props;
}

function unpackJson<T>(row: Record<string, unknown>): T {
  let text = '';
  for (let p = 0; p < Number(row.parts); p++) text += String(row[`d${p}`] ?? '');
  return JSON.parse(text) as T;
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

function pad(n: number): string {
  return String(n).padStart(10, '0');
}

/** Splits events into rows that stay well under the 1 MiB entity limit. */
function historyRows(events: readonly HistoryEvent[]): HistoryEvent[][] {
  const rows: HistoryEvent[][] = [];
  let current: HistoryEvent[] = [];
  let size = 0;
  for (const e of events) {
    const n = JSON.stringify(e).length;
    if (current.length > 0 && size + n > MAX_ROW_CHARS) {
      rows.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += n;
  }
  if (current.length > 0) rows.push(current);
  return rows;
}

export interface AzuriteStoreOptions {
  connectionString: string;
  taskHubName: string;
}

export async function createAzuriteStore(opts: AzuriteStoreOptions): Promise<TaskHubStore> {
  if (!/^[A-Za-z][A-Za-z0-9]{2,40}$/.test(opts.taskHubName)) throw new Error(`taskHubName '${opts.taskHubName}' is invalid: use 3-41 letters and digits, starting with a letter`);
  const loopback = /(127\.0\.0\.1|localhost)/.test(opts.connectionString);
  const table = TableClient.fromConnectionString(opts.connectionString, `${opts.taskHubName}Durable`, { allowInsecureConnection: loopback });
  try {
    await table.createTable();
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }

  const messageEntity = (m: Message): Row => ({ partitionKey: m.instanceId, rowKey: `m-${m.id}`, dueAt: m.dueAt, kind: m.kind, ...packJson(m) });
  const recordEntity = (r: InstanceRecord, chunks: number): Row => {
    const { etag: _etag, ...rest } = r;
    void _etag;
    return { partitionKey: r.instanceId, rowKey: INSTANCE, chunks, runtimeStatus: r.runtimeStatus, ...packJson(rest) };
  };

  async function readInstance(instanceId: string): Promise<{ record: InstanceRecord; chunks: number } | undefined> {
    try {
      const row = await table.getEntity<Record<string, unknown>>(instanceId, INSTANCE);
      return { record: { ...unpackJson<InstanceRecord>(row), etag: row.etag }, chunks: Number(row.chunks ?? 0) };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async function query(filter: string, select?: string[]): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) rows.push(row as Row);
    return rows;
  }

  async function submit(actions: TransactionAction[]): Promise<void> {
    for (let i = 0; i < actions.length; i += 100) await table.submitTransaction(actions.slice(i, i + 100));
  }

  async function upsertMessages(messages: Message[]): Promise<void> {
    const byPartition = new Map<string, TransactionAction[]>();
    for (const m of messages) {
      const list = byPartition.get(m.instanceId) ?? [];
      list.push(['upsert', messageEntity(m), 'Replace']);
      byPartition.set(m.instanceId, list);
    }
    await Promise.all([...byPartition.values()].map(submit));
  }

  async function deleteRows(rows: Row[]): Promise<void> {
    const byPartition = new Map<string, TransactionAction[]>();
    for (const r of rows) {
      const list = byPartition.get(r.partitionKey) ?? [];
      list.push(['delete', { partitionKey: r.partitionKey, rowKey: r.rowKey }]);
      byPartition.set(r.partitionKey, list);
    }
    for (const actions of byPartition.values()) {
      try {
        await submit(actions);
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
        // Someone deleted one of them first: fall back to one by one.
        for (const [, e] of actions) await deleteOne(e.partitionKey, e.rowKey);
      }
    }
  }

  async function deleteOne(pk: string, rk: string): Promise<void> {
    try {
      await table.deleteEntity(pk, rk);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async function dropOldHistory(instanceId: string, keepExecutionId: string): Promise<void> {
    const rows = await query(odata`PartitionKey eq ${instanceId} and RowKey ge 'h-' and RowKey lt 'h.'`, ['PartitionKey', 'RowKey']);
    await deleteRows(rows.filter((r) => !r.rowKey.startsWith(`h-${keepExecutionId}-`)));
  }

  const toMessage = (row: Row): Message => {
    const m = unpackJson<Message>(row);
    if (m.kind === 'activity') m.etag = row.etag;
    return m;
  };

  return {
    async getInstance(instanceId) {
      return (await readInstance(instanceId))?.record;
    },
    async listInstances() {
      const rows = await query(odata`RowKey eq ${INSTANCE}`);
      return rows.map((row) => ({ ...unpackJson<InstanceRecord>(row), etag: row.etag }));
    },
    async loadHistory(instanceId, executionId) {
      const rows = await query(odata`PartitionKey eq ${instanceId} and RowKey ge ${`h-${executionId}-`} and RowKey lt ${`h-${executionId}.`}`);
      rows.sort((a, b) => a.rowKey.localeCompare(b.rowKey));
      return rows.flatMap((row) => unpackJson<HistoryEvent[]>(row));
    },
    async commitEpisode(commit: EpisodeCommit) {
      const { instance } = commit;
      const current = await readInstance(instance.instanceId);
      if (!current || current.record.etag !== instance.etag) return false;
      await upsertMessages(commit.send);
      const rows = historyRows(commit.append);
      let chunks = commit.replaceHistory ? 0 : current.chunks;
      const actions: TransactionAction[] = [];
      for (const events of rows) actions.push(['upsert', { partitionKey: instance.instanceId, rowKey: `h-${instance.executionId}-${pad(chunks++)}`, ...packJson(events) }, 'Replace']);
      actions.push(['update', recordEntity(instance, chunks), 'Replace', { etag: instance.etag }]);
      for (const id of commit.consumed) actions.push(['delete', { partitionKey: instance.instanceId, rowKey: `m-${id}` }]);
      if (actions.length > 100) throw new Error(`An episode of '${instance.instanceId}' needs ${actions.length} table operations; the limit is 100`);
      try {
        await table.submitTransaction(actions);
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 404) return false;
        throw err;
      }
      if (commit.replaceHistory || instance.executionId !== current.record.executionId) await dropOldHistory(instance.instanceId, instance.executionId);
      return true;
    },
    async putInstance(instance, messages, replaceHistory) {
      const own = messages.filter((m) => m.instanceId === instance.instanceId);
      const actions: TransactionAction[] = [
        instance.etag === undefined ? ['create', recordEntity(instance, 0)] : ['update', recordEntity(instance, 0), 'Replace', { etag: instance.etag }],
        ...own.map((m): TransactionAction => ['upsert', messageEntity(m), 'Replace']),
      ];
      try {
        await table.submitTransaction(actions);
      } catch (err) {
        if (statusOf(err) === 409 || statusOf(err) === 412) return false;
        throw err;
      }
      if (replaceHistory) await dropOldHistory(instance.instanceId, instance.executionId);
      await upsertMessages(messages.filter((m) => m.instanceId !== instance.instanceId));
      return true;
    },
    putMessages: upsertMessages,
    async dueMessages(now, limit = Infinity) {
      const rows = await query(`RowKey ge 'm-' and RowKey lt 'm.' and dueAt le ${now}`);
      const messages = rows.map(toMessage);
      messages.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      return messages.slice(0, limit);
    },
    async nextDueAt(now) {
      const rows = await query(`RowKey ge 'm-' and RowKey lt 'm.' and dueAt gt ${now}`, ['dueAt']);
      return rows.length ? Math.min(...rows.map((r) => Number(r.dueAt))) : undefined;
    },
    async leaseActivity(message: ActivityMessage, owner, until) {
      const { etag, ...rest } = message;
      try {
        await table.updateEntity(messageEntity({ ...rest, leaseOwner: owner, leaseUntil: until }), 'Replace', { etag: etag ?? '*' });
        return true;
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 404) return false;
        throw err;
      }
    },
    async deleteMessage(instanceId, messageId) {
      await deleteOne(instanceId, `m-${messageId}`);
    },
    async dropMessages(instanceId, keepExecutionId) {
      const rows = await query(odata`PartitionKey eq ${instanceId} and RowKey ge 'm-' and RowKey lt 'm.'`);
      await deleteRows(rows.filter((row) => {
        if (keepExecutionId === undefined) return true;
        const m = unpackJson<Message>(row);
        return m.executionId !== undefined && m.executionId !== keepExecutionId;
      }));
    },
    async purge(instanceId) {
      const rows = await query(odata`PartitionKey eq ${instanceId}`, ['PartitionKey', 'RowKey']);
      if (!rows.some((r) => r.rowKey === INSTANCE)) return false;
      await deleteRows(rows);
      return true;
    },
  };
}
