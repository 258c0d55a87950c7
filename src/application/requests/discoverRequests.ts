/**
 * Discovery: turns claimable intake rows into running workflows. Run by the timer and by
 * POST /api/discover; several may run at once (ETag claims decide who starts what).
 */
import { firstClaimCheckAt, nextClaimCheckAt } from '../../domain/claims';
import type { WorkflowPolicy } from '../../domain/policies';
import { requestIdFromIntakeRow } from '../../domain/ids';
import { ensureError } from '../errors';
import type { IntakeRepository, IntakeRow } from '../ports';
import type { RetrySettings } from '../workflow/contracts';
import { ACTIVE, RESTARTABLE, type WorkflowRuntime } from './workflowRuntime';

export interface DiscoveryDeps {
  intake: IntakeRepository;
  runtime: WorkflowRuntime;
  policy: WorkflowPolicy;
  retry?: RetrySettings;
  batchSize: number;
  /** How long after a claim discovery first looks at it again; later looks come at doubling intervals. */
  staleClaimSeconds: number;
  now: () => Date;
  /** How many rows are claimed and started at once. */
  concurrency?: number;
}

export interface DiscoveryReport {
  examined: number;
  started: string[];
  alreadyRunning: string[];
  /** Another discoverer claimed the row first. */
  lostRace: number;
  quarantined: { rowKey: string; partitionKey: string; reason: string }[];
  failed: { rowKey: string; error: string }[];
}

export async function discoverRequests(deps: DiscoveryDeps): Promise<DiscoveryReport> {
  const now = deps.now();
  const rows = await deps.intake.listClaimable({ checksDueBy: now.toISOString(), maxCount: deps.batchSize });
  const report: DiscoveryReport = {
    examined: rows.length,
    started: [],
    alreadyRunning: [],
    lostRace: 0,
    quarantined: [],
    failed: [],
  };
  const queue = [...rows];
  const worker = async (): Promise<void> => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        await discoverOne(deps, row, now, report);
      } catch (e) {
        // One bad row never stops the batch; the row stays claimable and is retried next run.
        report.failed.push({ rowKey: row.ref.rowKey, error: ensureError(e).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
  return report;
}

/** Claims one row and starts (or recognises) its workflow. Also used by POST /api/requests?start=true. */
export async function discoverOne(
  deps: DiscoveryDeps,
  row: IntakeRow,
  now: Date,
  report: DiscoveryReport,
): Promise<void> {
  let requestId: string | undefined;
  let problem = row.problem;
  if (!problem) {
    try {
      requestId = requestIdFromIntakeRow(row.ref.partitionKey, row.ref.rowKey);
    } catch (e) {
      problem = ensureError(e).message;
    }
  }
  if (problem || !requestId || !row.payload) {
    const reason = problem ?? 'the row has no payload';
    await deps.intake.quarantine(row, reason);
    report.quarantined.push({ ...row.ref, reason });
    return;
  }
  if (row.status === 'Claimed') {
    // A claim check fell due: most often its workflow is simply queued or still running. Deferring
    // the next check (domain/claims.ts) keeps the row out of discovery for as long again as the claim
    // has lasted; losing that race is fine.
    const current = await deps.runtime.status(requestId);
    if (current && (ACTIVE.includes(current.runtimeStatus) || current.runtimeStatus === 'Completed')) {
      const checkAt = nextClaimCheckAt(row.claimedAt, now, deps.staleClaimSeconds);
      await deps.intake.deferClaimCheck(row, checkAt.toISOString());
      report.alreadyRunning.push(requestId);
      return;
    }
  }
  const claimed = await deps.intake.claim(row, {
    claimedAt: now.toISOString(),
    checkAt: firstClaimCheckAt(now, deps.staleClaimSeconds).toISOString(),
  });
  if (!claimed) {
    report.lostRace++;
    return;
  }
  const existing = await deps.runtime.status(requestId);
  if (existing && !RESTARTABLE.includes(existing.runtimeStatus)) {
    // Running (a stale claim whose workflow is alive) or Completed: nothing to start.
    if (ACTIVE.includes(existing.runtimeStatus) || existing.runtimeStatus === 'Completed')
      report.alreadyRunning.push(requestId);
    return;
  }
  await deps.runtime.start(requestId, {
    requestId,
    intake: claimed.ref,
    payload: row.payload,
    policy: deps.policy,
    retry: deps.retry,
    ...(row.trace ? { trace: row.trace } : {}),
  });
  report.started.push(requestId);
}

export function emptyReport(): DiscoveryReport {
  return { examined: 0, started: [], alreadyRunning: [], lostRace: 0, quarantined: [], failed: [] };
}
