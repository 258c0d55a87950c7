/**
 * When discovery looks again at a claimed intake row. A claim is normal while its workflow queues or
 * runs, and is only wrong when the workflow never started or died without writing the row's status.
 * Looking once per stale-claim period made an item that waits or runs for t cost t / period status
 * checks and row writes. Instead the first check comes one period after the claim and each later one
 * after as long again as the claim has lasted, so the cost grows with log2(t / period). The interval
 * stops doubling at MAX_CLAIM_CHECK_PERIODS periods, which bounds how long a row whose workflow died
 * unseen stays Claimed.
 */
import { DomainValidationError } from './errors';

export const MAX_CLAIM_CHECK_PERIODS = 12;

/** The first check of a claim taken at `claimedAt`. */
export function firstClaimCheckAt(claimedAt: Date, staleClaimSeconds: number): Date {
  return new Date(claimedAt.getTime() + period(staleClaimSeconds));
}

/**
 * The next check of a claim found alive at `now`: after as long again as it has lasted, at least one
 * period and at most MAX_CLAIM_CHECK_PERIODS. A claim without a time (written by an older build)
 * counts as taken now.
 */
export function nextClaimCheckAt(claimedAt: string | undefined, now: Date, staleClaimSeconds: number): Date {
  const step = period(staleClaimSeconds);
  const since = claimedAt === undefined ? Number.NaN : Date.parse(claimedAt);
  const age = Number.isNaN(since) ? 0 : Math.max(0, now.getTime() - since);
  return new Date(now.getTime() + Math.min(Math.max(age, step), step * MAX_CLAIM_CHECK_PERIODS));
}

function period(staleClaimSeconds: number): number {
  if (!(staleClaimSeconds > 0) || !Number.isFinite(staleClaimSeconds))
    throw new DomainValidationError(
      'staleClaimSeconds',
      `staleClaimSeconds must be a positive number, got ${staleClaimSeconds}`,
    );
  return staleClaimSeconds * 1000;
}

/** How many times discovery looks at a claim that stays live for `lastsSeconds`: each look is a status check and a row write. */
export function claimChecksWithin(lastsSeconds: number, staleClaimSeconds: number): number {
  const claimedAt = new Date(0);
  const end = lastsSeconds * 1000;
  let checks = 0;
  for (let at = firstClaimCheckAt(claimedAt, staleClaimSeconds); at.getTime() < end; checks++)
    at = nextClaimCheckAt(claimedAt.toISOString(), at, staleClaimSeconds);
  return checks;
}
