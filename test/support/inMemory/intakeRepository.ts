/**
 * The IntakeRepository port in memory: ETag-guarded claims (one of two racing claims wins), new work
 * listed before stale claims, a terminal status written once. Rows from `add` are always well formed
 * (malformed rows written by others are the Table adapter's own tests).
 */
import type { IntakeRepository, IntakeRow } from '../../../src/application/ports';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/application/errors';
import { workItemPayloadProblem, type IntakeRef, type WorkItemPayload } from '../../../src/domain/events';
import { isValidRequestId, REQUEST_ID_RULE } from '../../../src/domain/ids';
import { OUTCOMES, type Outcome } from '../../../src/domain/status';

export class InMemoryIntakeRepository implements IntakeRepository {
  private readonly rows = new Map<string, IntakeRow>();
  private etags = 0;

  async add(ref: IntakeRef, payload: WorkItemPayload): Promise<IntakeRow> {
    if (!isValidRequestId(ref.rowKey))
      throw new ValidationError(`RowKey '${ref.rowKey}' is not a valid request id: ${REQUEST_ID_RULE}`, 'RowKey');
    const problem = workItemPayloadProblem(payload);
    if (problem) throw new ValidationError(problem, 'payload');
    if (this.rows.has(key(ref))) throw new ConflictError(`intake row ${key(ref)} already exists`);
    return this.write({
      ref,
      status: 'Unprocessed',
      payload: structuredClone(payload),
      etag: '',
      createdAt: new Date().toISOString(),
    });
  }

  async get(ref: IntakeRef): Promise<IntakeRow | undefined> {
    const row = this.rows.get(key(ref));
    return row && structuredClone(row);
  }

  async listClaimable(options: { checksDueBy: string; maxCount: number }): Promise<IntakeRow[]> {
    if (!Number.isInteger(options.maxCount) || options.maxCount < 1)
      throw new ValidationError(`maxCount must be a positive integer, got ${options.maxCount}`, 'maxCount');
    const all = [...this.rows.values()];
    const fresh = all.filter((r) => r.status === 'Unprocessed');
    const due = all.filter(
      (r) => r.status === 'Claimed' && r.claimCheckAt !== undefined && r.claimCheckAt <= options.checksDueBy,
    );
    return structuredClone([...fresh, ...due].slice(0, options.maxCount));
  }

  async claim(row: IntakeRow, claim: { claimedAt: string; checkAt: string }): Promise<IntakeRow | undefined> {
    if (row.problem)
      throw new ValidationError(`intake row ${key(row.ref)} is malformed and cannot be claimed: ${row.problem}`, 'row');
    const current = this.unchanged(row);
    return (
      current && this.write({ ...current, status: 'Claimed', claimedAt: claim.claimedAt, claimCheckAt: claim.checkAt })
    );
  }

  async deferClaimCheck(row: IntakeRow, checkAt: string): Promise<boolean> {
    const current = this.unchanged(row);
    if (current) this.write({ ...current, claimCheckAt: checkAt });
    return current !== undefined;
  }

  private unchanged(row: IntakeRow): IntakeRow | undefined {
    const current = this.rows.get(key(row.ref));
    return current && current.etag === row.etag ? current : undefined;
  }

  async complete(ref: IntakeRef, status: Outcome): Promise<void> {
    const current = this.existing(ref);
    if (current.status === status) return;
    if (OUTCOMES.includes(current.status as Outcome)) {
      throw new ConflictError(
        `intake row ${key(ref)} is already ${current.status}; refusing to overwrite with ${status}`,
      );
    }
    this.write({ ...current, status });
    return;
  }

  async quarantine(row: IntakeRow, reason: string): Promise<void> {
    if (!reason.trim()) throw new ValidationError('a quarantine needs a readable reason', 'reason');
    this.write({ ...this.existing(row.ref), status: 'Quarantined' });
    return;
  }

  private existing(ref: IntakeRef): IntakeRow {
    const row = this.rows.get(key(ref));
    if (!row) throw new NotFoundError(`intake row ${key(ref)} does not exist`);
    return row;
  }

  private write(row: IntakeRow): IntakeRow {
    this.etags += 1;
    const stored = { ...row, etag: `W/"${this.etags}"` };
    this.rows.set(key(row.ref), stored);
    return structuredClone(stored);
  }
}

const key = (ref: IntakeRef): string => `(PartitionKey '${ref.partitionKey}', RowKey '${ref.rowKey}')`;
