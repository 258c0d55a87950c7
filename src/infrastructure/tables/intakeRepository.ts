/**
 * The intake table. Row columns: PartitionKey, RowKey, Status, Payload (JSON string), CreatedAt,
 * ClaimedAt, ClaimCheckAt (when discovery next looks at the claim), CompletedAt, Reason, QuarantineReason,
 * TraceParent/TraceState (the trace of the call that added the row). Every state change is an ETag-guarded
 * write, because the SDK's default (no etag) is an unconditional `If-Match: *`.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { IntakeRepository, IntakeRow } from '../../application/ports';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '../../application/errors';
import { workItemPayloadProblem, type IntakeRef, type WorkItemPayload } from '../../domain/events';
import { REQUEST_ID_RULE, isValidRequestId } from '../../domain/ids';
import { OUTCOMES, type IntakeStatus, type Outcome } from '../../domain/status';
import { mapTableError, tableStatusOf } from './errors';
import type { TraceContext } from '../../application/workflow/trace';

interface IntakeEntity {
  partitionKey: string;
  rowKey: string;
  Status?: string;
  Payload?: unknown;
  CreatedAt?: string;
  ClaimedAt?: string;
  ClaimCheckAt?: string;
  CompletedAt?: string;
  Reason?: string;
  QuarantineReason?: string;
  TraceParent?: string;
  TraceState?: string;
}

const STATUSES: readonly string[] = ['Unprocessed', 'Claimed', 'Quarantined', ...OUTCOMES];
const MAX_WRITE_ATTEMPTS = 5;

export class TableIntakeRepository implements IntakeRepository {
  constructor(private readonly table: TableClient) {}

  /** Creates the table if missing (local only: in Azure it comes from Bicep). */
  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (e) {
      throw mapTableError(e, `create table ${this.table.tableName}`);
    }
  }

  async add(ref: IntakeRef, payload: WorkItemPayload, trace?: TraceContext): Promise<IntakeRow> {
    if (!isValidRequestId(ref.rowKey))
      throw new ValidationError(`RowKey '${ref.rowKey}' is not a valid request id: ${REQUEST_ID_RULE}`, 'RowKey');
    if (!isPlainObject(payload)) throw new ValidationError('payload must be a JSON object', 'payload');
    const entity: IntakeEntity = {
      ...keys(ref),
      Status: 'Unprocessed',
      Payload: JSON.stringify(payload),
      CreatedAt: new Date().toISOString(),
    };
    if (trace) {
      entity.TraceParent = trace.traceparent;
      if (trace.tracestate) entity.TraceState = trace.tracestate;
    }
    try {
      const response = await this.table.createEntity(entity);
      return toRow({ ...entity, etag: response.etag ?? '' });
    } catch (e) {
      if (tableStatusOf(e) === 409) throw new ConflictError(`intake row ${describe(ref)} already exists`);
      throw mapTableError(e, `add intake row ${describe(ref)}`);
    }
  }

  async get(ref: IntakeRef): Promise<IntakeRow | undefined> {
    const entity = await this.read(ref);
    return entity && toRow(entity);
  }

  async listClaimable(options: { checksDueBy: string; maxCount: number }): Promise<IntakeRow[]> {
    if (!Number.isInteger(options.maxCount) || options.maxCount < 1) {
      throw new ValidationError(`maxCount must be a positive integer, got ${options.maxCount}`, 'maxCount');
    }
    if (Number.isNaN(Date.parse(options.checksDueBy))) {
      throw new ValidationError(`checksDueBy must be an ISO 8601 time, got '${options.checksDueBy}'`, 'checksDueBy');
    }
    // New work first: due claim checks only fill what is left, so a backlog of long-running claims
    // cannot crowd Unprocessed rows out of a batch. ClaimCheckAt is an ISO string: string order is time order.
    const rows = await this.query(odata`Status eq 'Unprocessed'`, options.maxCount);
    if (rows.length < options.maxCount) {
      rows.push(
        ...(await this.query(
          odata`Status eq 'Claimed' and ClaimCheckAt le ${options.checksDueBy}`,
          options.maxCount - rows.length,
        )),
      );
    }
    return rows;
  }

  private async query(filter: string, maxCount: number): Promise<IntakeRow[]> {
    const rows: IntakeRow[] = [];
    try {
      const pages = this.table
        .listEntities<IntakeEntity>({ queryOptions: { filter } })
        .byPage({ maxPageSize: Math.min(maxCount, 1000) });
      for await (const page of pages) {
        for (const entity of page) {
          rows.push(toRow(entity));
          if (rows.length >= maxCount) return rows;
        }
      }
    } catch (e) {
      throw mapTableError(e, 'list claimable intake rows');
    }
    return rows;
  }

  async claim(row: IntakeRow, claim: { claimedAt: string; checkAt: string }): Promise<IntakeRow | undefined> {
    if (row.problem)
      throw new ValidationError(
        `intake row ${describe(row.ref)} is malformed and cannot be claimed: ${row.problem}`,
        'row',
      );
    const etag = await this.mergeIfUnchanged(row, 'claim', {
      Status: 'Claimed',
      ClaimedAt: claim.claimedAt,
      ClaimCheckAt: claim.checkAt,
    });
    return etag === undefined
      ? undefined
      : { ...row, status: 'Claimed', claimedAt: claim.claimedAt, claimCheckAt: claim.checkAt, etag };
  }

  async deferClaimCheck(row: IntakeRow, checkAt: string): Promise<boolean> {
    return (await this.mergeIfUnchanged(row, 'defer the claim check of', { ClaimCheckAt: checkAt })) !== undefined;
  }

  /** Merges `patch` if the row still has the listed ETag; the new ETag, or undefined when it changed or is gone. */
  private async mergeIfUnchanged(
    row: IntakeRow,
    what: string,
    patch: Partial<IntakeEntity>,
  ): Promise<string | undefined> {
    try {
      const response = await this.table.updateEntity({ ...keys(row.ref), ...patch }, 'Merge', { etag: row.etag });
      return response.etag ?? '';
    } catch (e) {
      // 412: another claimer changed the row since we listed it; 404: it is gone. Either way not ours.
      const status = tableStatusOf(e);
      if (status === 412 || status === 404) return undefined;
      throw mapTableError(e, `${what} intake row ${describe(row.ref)}`);
    }
  }

  async complete(ref: IntakeRef, status: Outcome, details: { reason?: string; completedAt: string }): Promise<void> {
    if (!OUTCOMES.includes(status))
      throw new ValidationError(`status must be one of ${OUTCOMES.join(', ')}, got '${String(status)}'`, 'status');
    await this.readModifyWrite(ref, `complete intake row ${describe(ref)} as ${status}`, (current) => {
      if (current.Status === status) return undefined;
      if (isOutcome(current.Status)) {
        throw new ConflictError(
          `intake row ${describe(ref)} is already ${current.Status}; refusing to overwrite with ${status}`,
        );
      }
      return {
        Status: status,
        CompletedAt: details.completedAt,
        ...(details.reason !== undefined ? { Reason: details.reason } : {}),
      };
    });
  }

  async quarantine(row: IntakeRow, reason: string): Promise<void> {
    if (!reason.trim()) throw new ValidationError('a quarantine needs a readable reason', 'reason');
    await this.readModifyWrite(row.ref, `quarantine intake row ${describe(row.ref)}`, (current) =>
      current.Status === 'Quarantined' ? undefined : { Status: 'Quarantined', QuarantineReason: reason },
    );
  }

  /** Reads the row and merges `change(current)` with its ETag; re-reads when another writer got in first. */
  private async readModifyWrite(
    ref: IntakeRef,
    what: string,
    change: (current: IntakeEntity) => Partial<IntakeEntity> | undefined,
  ): Promise<void> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.read(ref);
      if (!current) throw new NotFoundError(`cannot ${what}: the row does not exist`);
      const patch = change(current);
      if (!patch) return;
      try {
        await this.table.updateEntity({ ...keys(ref), ...patch }, 'Merge', { etag: current.etag });
        return;
      } catch (e) {
        if (tableStatusOf(e) === 412) continue;
        throw mapTableError(e, what);
      }
    }
    throw new TransientError(`cannot ${what}: the row kept changing under ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  private async read(ref: IntakeRef): Promise<TableEntityResult<IntakeEntity> | undefined> {
    try {
      return await this.table.getEntity<IntakeEntity>(ref.partitionKey, ref.rowKey);
    } catch (e) {
      if (tableStatusOf(e) === 404) return undefined;
      throw mapTableError(e, `read intake row ${describe(ref)}`);
    }
  }
}

/** Never throws: what is wrong with the row goes into `problem`, so one bad row cannot block the batch. */
function toRow(entity: IntakeEntity & { etag: string }): IntakeRow {
  const ref = { partitionKey: entity.partitionKey, rowKey: entity.rowKey };
  const row: IntakeRow = {
    ref,
    status: (STATUSES.includes(entity.Status ?? '') ? entity.Status : 'Unprocessed') as IntakeStatus,
    etag: entity.etag,
  };
  if (entity.ClaimedAt) row.claimedAt = entity.ClaimedAt;
  if (entity.ClaimCheckAt) row.claimCheckAt = entity.ClaimCheckAt;
  if (entity.CreatedAt) row.createdAt = entity.CreatedAt;
  if (typeof entity.TraceParent === 'string' && entity.TraceParent)
    row.trace = { traceparent: entity.TraceParent, ...(entity.TraceState ? { tracestate: entity.TraceState } : {}) };
  const problems: string[] = [];
  if (!STATUSES.includes(entity.Status ?? ''))
    problems.push(`Status '${String(entity.Status)}' is not one of ${STATUSES.join(', ')}`);
  if (!isValidRequestId(entity.rowKey))
    problems.push(`RowKey '${entity.rowKey}' is not a valid request id (${REQUEST_ID_RULE})`);
  const parsed = parsePayload(entity.Payload);
  if (typeof parsed === 'string') problems.push(parsed);
  else row.payload = parsed;
  if (problems.length > 0) row.problem = problems.join('; ');
  return row;
}

function parsePayload(raw: unknown): WorkItemPayload | string {
  if (raw === undefined || raw === null || raw === '') return 'Payload is missing';
  if (typeof raw !== 'string') return `Payload must be a JSON string, got a ${typeof raw}`;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return `Payload is not valid JSON (${(e as Error).message})`;
  }
  const problem = workItemPayloadProblem(value);
  return problem ? `Payload: ${problem}` : (value as WorkItemPayload);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOutcome(s: string | undefined): s is Outcome {
  return OUTCOMES.includes(s as Outcome);
}

function keys(ref: IntakeRef): { partitionKey: string; rowKey: string } {
  return { partitionKey: ref.partitionKey, rowKey: ref.rowKey };
}

function describe(ref: IntakeRef): string {
  return `(PartitionKey '${ref.partitionKey}', RowKey '${ref.rowKey}')`;
}
