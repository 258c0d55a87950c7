/**
 * How one instance partition of the table task hub is laid out. Every row of an instance shares
 * PartitionKey = the encoded instance id, so a commit can be one entity-group transaction:
 *
 *   RowKey `i`                          the instance record
 *   RowKey `h|<historyKey>|<seq>|<part>` history: the JSON array of the events appended at <seq>
 *   RowKey `m|<messageId>`              a pending message
 *
 * JSON text is cut into string properties of at most PART_CHARS characters (Table Storage caps a
 * string property at 64 KiB of UTF-16) and a row holds at most ROW_PARTS of them (an entity is at
 * most 1 MiB); longer history slices continue in the next `<part>` row.
 */
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import type { HistoryEvent } from '../history';
import type { InstanceRecord, Message } from './types';

export const PART_CHARS = 30_000;
export const ROW_PARTS = 15;
/** Largest JSON text one record or message row can hold. */
export const ROW_CHARS = PART_CHARS * ROW_PARTS;
export const RECORD_ROW = 'i';
export const MESSAGE_PREFIX = 'm|';
/** Upper bound of the message RowKey range ('}' sorts right after '|'). */
export const MESSAGE_END = 'm}';
export const HISTORY_PREFIX = 'h|';
export const HISTORY_END = 'h}';

type Row = TableEntity<Record<string, unknown>>;
type StoredRow = TableEntityResult<Record<string, unknown>>;

/** Keys may not hold `/ \ # ?` or control characters; everything outside a safe set is escaped as ~XX (UTF-8). */
export function encodeKey(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((b) =>
      /[A-Za-z0-9\-_.:@]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `~${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

export const messageRowKey = (messageId: string): string => MESSAGE_PREFIX + encodeKey(messageId);

export function historyRowKey(historyKey: string, firstSeq: number, part: number): string {
  return `${HISTORY_PREFIX}${historyKey}|${String(firstSeq).padStart(9, '0')}|${String(part).padStart(5, '0')}`;
}

/** Epoch ms as a fixed-width string, so `due le '…'` compares in time order (negative times included). */
const DUE_OFFSET = 1e15;
export function dueKey(ms: number): string {
  return String(Math.floor(ms) + DUE_OFFSET).padStart(17, '0');
}

function split(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += PART_CHARS) parts.push(text.slice(i, i + PART_CHARS));
  return parts.length ? parts : [''];
}

function putParts(row: Row, prefix: string, text: string, what: string): void {
  if (text.length > ROW_CHARS)
    throw new Error(
      `${what} is ${text.length} characters of JSON; the table task hub stores at most ${ROW_CHARS} per row`,
    );
  const parts = split(text);
  row[`${prefix}n`] = parts.length;
  parts.forEach((p, i) => (row[`${prefix}${i}`] = p));
}

function getParts(row: Record<string, unknown>, prefix: string): string {
  const n = Number(row[`${prefix}n`] ?? 0);
  let text = '';
  for (let i = 0; i < n; i++) text += String(row[`${prefix}${i}`] ?? '');
  return text;
}

/** Store-internal fields of the record row, next to the record itself. */
export interface RecordState {
  /** Names the current history's rows; a fresh key starts a history afresh. */
  historyKey: string;
  /** Events of that history that are committed; rows past it are leftovers of an unfinished commit. */
  historyLength: number;
  /** Consumed message ids the last commit could not delete inside its transaction. */
  pendingAcks: string[];
}

export function recordRow(pk: string, record: InstanceRecord, state: RecordState): Row {
  const { etag: _etag, ...rest } = record;
  const row: Row = {
    partitionKey: pk,
    rowKey: RECORD_ROW,
    hk: state.historyKey,
    hl: state.historyLength,
    acking: state.pendingAcks.length > 0,
  };
  putParts(row, 'r', JSON.stringify(rest), `instance '${record.instanceId}' record`);
  putParts(row, 'a', JSON.stringify(state.pendingAcks), `instance '${record.instanceId}' pending acknowledgements`);
  return row;
}

export function readRecordRow(row: StoredRow): { record: InstanceRecord; state: RecordState } {
  const record = JSON.parse(getParts(row, 'r')) as InstanceRecord;
  record.etag = row.etag;
  return {
    record,
    state: { historyKey: String(row.hk), historyLength: Number(row.hl), pendingAcks: readPendingAcks(row) },
  };
}

export function readPendingAcks(row: Record<string, unknown>): string[] {
  const acks = getParts(row, 'a');
  return acks ? (JSON.parse(acks) as string[]) : [];
}

export function messageRow(pk: string, message: Message): Row {
  if (!Number.isFinite(message.dueAt))
    throw new Error(`message '${message.id}' has a non-finite dueAt (${message.dueAt})`);
  const {
    leaseOwner,
    leaseUntil,
    etag: _etag,
    ...rest
  } = message as Message & { leaseOwner?: string; leaseUntil?: number; etag?: string };
  const row: Row = {
    partitionKey: pk,
    rowKey: messageRowKey(message.id),
    kind: message.kind,
    due: dueKey(message.dueAt),
    dueAt: String(message.dueAt),
  };
  if (message.executionId !== undefined) row.ex = message.executionId;
  if (leaseOwner !== undefined) row.leaseOwner = leaseOwner;
  if (leaseUntil !== undefined) row.leaseUntil = leaseUntil;
  putParts(row, 'm', JSON.stringify(rest), `message '${message.id}'`);
  return row;
}

export function readMessageRow(row: StoredRow): Message {
  const message = JSON.parse(getParts(row, 'm')) as Message;
  if (message.kind === 'activity') {
    if (typeof row.leaseOwner === 'string') message.leaseOwner = row.leaseOwner;
    if (row.leaseUntil !== undefined && row.leaseUntil !== null) message.leaseUntil = Number(row.leaseUntil);
    message.etag = row.etag;
  }
  return message;
}

/** Rows holding `events`, the slice of a history starting at `firstSeq`. */
export function historyRows(pk: string, historyKey: string, firstSeq: number, events: readonly HistoryEvent[]): Row[] {
  if (events.length === 0) return [];
  const parts = split(JSON.stringify(events));
  const rowCount = Math.ceil(parts.length / ROW_PARTS);
  const rows: Row[] = [];
  for (let r = 0; r < rowCount; r++) {
    const row: Row = {
      partitionKey: pk,
      rowKey: historyRowKey(historyKey, firstSeq, r),
      first: firstSeq,
      count: events.length,
      rows: rowCount,
    };
    const slice = parts.slice(r * ROW_PARTS, (r + 1) * ROW_PARTS);
    row.dn = slice.length;
    slice.forEach((p, i) => (row[`d${i}`] = p));
    rows.push(row);
  }
  return rows;
}

/**
 * Rebuilds a history from its rows in RowKey order. Only the chain of slices starting at 0 and
 * adjoining each other counts: a slice left by a commit that never finished starts at or past
 * the committed length, so it is either overwritten by the next commit or skipped here.
 */
export function assembleHistory(rows: readonly Record<string, unknown>[], historyLength: number): HistoryEvent[] {
  const groups = new Map<number, Record<string, unknown>[]>();
  for (const row of rows) {
    const first = Number(row.first);
    const list = groups.get(first) ?? [];
    list.push(row);
    groups.set(first, list);
  }
  const history: HistoryEvent[] = [];
  while (history.length < historyLength) {
    const group = groups.get(history.length);
    const rowCount = Number(group?.[0]?.rows);
    if (!group || group.length < rowCount)
      throw new Error(`history is missing rows at event ${history.length} of ${historyLength}`);
    let text = '';
    for (const row of group.slice(0, rowCount)) text += getParts(row, 'd');
    const events = JSON.parse(text) as HistoryEvent[];
    history.push(...events);
  }
  if (history.length !== historyLength)
    throw new Error(`history rows hold ${history.length} events where ${historyLength} were committed`);
  return history;
}
