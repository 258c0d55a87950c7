/**
 * The inbox and read model in Azure Tables (Azurite locally):
 *  - `SubscriberInbox`: partition = request id; row `position` (applied version + summary) and one
 *    row `seen-<event id>` per applied event, committed in one transaction;
 *  - `SubscriberDaily`: partition = day (UTC, of completion), row = request id: outcome, duration;
 *  - `SubscriberIntervention`: partition `open`, row = request id: why it needs an operator.
 */
import { odata, RestError, TableClient, TableTransaction, type TableEntityResult } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { InboxEvent } from './events';
import type { InboxStore, StreamPosition } from './inbox';
import { dailyLine, type DailyLine, type RequestSummary } from './readModel';

export const TABLES = {
  inbox: 'SubscriberInbox',
  daily: 'SubscriberDaily',
  intervention: 'SubscriberIntervention',
} as const;
const POSITION = 'position';

export interface SubscriberTables {
  inbox: TableClient;
  daily: TableClient;
  intervention: TableClient;
}

/** Plain http only to loopback (Azurite). */
const LOOPBACK_HTTP = /(^|;|=)http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i;

export function subscriberTables(store: { connectionString: string } | { tableEndpoint: string }): SubscriberTables {
  const credential = 'tableEndpoint' in store ? new DefaultAzureCredential() : undefined;
  const client = (name: string): TableClient =>
    'tableEndpoint' in store
      ? new TableClient(store.tableEndpoint, name, credential!, {
          allowInsecureConnection: LOOPBACK_HTTP.test(store.tableEndpoint),
        })
      : TableClient.fromConnectionString(store.connectionString, name, {
          allowInsecureConnection:
            LOOPBACK_HTTP.test(store.connectionString) || /UseDevelopmentStorage=true/i.test(store.connectionString),
        });
  return { inbox: client(TABLES.inbox), daily: client(TABLES.daily), intervention: client(TABLES.intervention) };
}

export async function ensureTables(t: SubscriberTables): Promise<void> {
  await Promise.all(Object.values(t).map((c: TableClient) => c.createTable()));
}

interface PositionRow {
  appliedVersion: number;
  summary: string;
}

export function tableInboxStore(t: SubscriberTables): InboxStore {
  return {
    async position(streamId) {
      try {
        const row: TableEntityResult<PositionRow> = await t.inbox.getEntity<PositionRow>(streamId, POSITION);
        return {
          appliedVersion: row.appliedVersion,
          summary: JSON.parse(row.summary) as RequestSummary,
          etag: row.etag,
        };
      } catch (e) {
        if (e instanceof RestError && e.statusCode === 404)
          return { appliedVersion: 0, summary: { requestId: streamId, attempts: 0, needsIntervention: false } };
        throw e;
      }
    },
    async project(summary) {
      const line = dailyLine(summary);
      if (line)
        await t.daily.upsertEntity(
          {
            partitionKey: line.day,
            rowKey: line.requestId,
            outcome: line.outcome,
            durationMs: line.durationMs,
            attempts: line.attempts,
          },
          'Replace',
        );
      if (summary.needsIntervention) {
        await t.intervention.upsertEntity(
          {
            partitionKey: 'open',
            rowKey: summary.requestId,
            reason: summary.interventionReason ?? '',
            outcome: summary.outcome ?? '',
          },
          'Replace',
        );
      }
    },
    async commit(streamId, from: StreamPosition, to, events: InboxEvent[]) {
      const tx = new TableTransaction();
      const row = {
        partitionKey: streamId,
        rowKey: POSITION,
        appliedVersion: to.appliedVersion,
        summary: JSON.stringify(to.summary),
      };
      if (from.etag) tx.updateEntity(row, 'Replace', { etag: from.etag });
      else tx.createEntity(row);
      for (const e of events)
        tx.createEntity({ partitionKey: streamId, rowKey: `seen-${e.id}`, version: e.version, kind: e.kind });
      try {
        await t.inbox.submitTransaction(tx.actions);
        return true;
      } catch (e) {
        // 409 (position or an id already there) and 412 (position moved): another delivery won.
        if (e instanceof RestError && (e.statusCode === 409 || e.statusCode === 412)) return false;
        throw e;
      }
    },
  };
}

/** One day's completed requests. */
export async function readDay(t: SubscriberTables, day: string): Promise<DailyLine[]> {
  const lines: DailyLine[] = [];
  for await (const r of t.daily.listEntities<{ outcome: string; durationMs: number; attempts: number }>({
    queryOptions: { filter: odata`PartitionKey eq ${day}` },
  })) {
    lines.push({ day, requestId: r.rowKey!, outcome: r.outcome, durationMs: r.durationMs, attempts: r.attempts });
  }
  return lines;
}

export async function readIntervention(
  t: SubscriberTables,
): Promise<{ requestId: string; reason: string; outcome: string }[]> {
  const out: { requestId: string; reason: string; outcome: string }[] = [];
  for await (const r of t.intervention.listEntities<{ reason: string; outcome: string }>())
    out.push({ requestId: r.rowKey!, reason: r.reason, outcome: r.outcome });
  return out;
}

/** What the inbox holds for one request: its position and the ids it has applied, in version order. */
export async function readRequest(
  t: SubscriberTables,
  requestId: string,
): Promise<{ appliedVersion: number; summary: RequestSummary | null; seen: { id: string; version: number }[] }> {
  let appliedVersion = 0;
  let summary: RequestSummary | null = null;
  const seen: { id: string; version: number }[] = [];
  for await (const r of t.inbox.listEntities<{ appliedVersion?: number; summary?: string; version?: number }>({
    queryOptions: { filter: odata`PartitionKey eq ${requestId}` },
  })) {
    if (r.rowKey === POSITION) {
      appliedVersion = r.appliedVersion ?? 0;
      summary = JSON.parse(r.summary ?? 'null') as RequestSummary | null;
    } else {
      seen.push({ id: r.rowKey!.slice('seen-'.length), version: r.version ?? 0 });
    }
  }
  return { appliedVersion, summary, seen: seen.sort((a, b) => a.version - b.version) };
}
