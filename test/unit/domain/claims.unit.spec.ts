import { expect } from 'chai';
import {
  claimChecksWithin,
  firstClaimCheckAt,
  MAX_CLAIM_CHECK_PERIODS,
  nextClaimCheckAt,
} from '../../../src/domain/claims';

const CLAIMED = '2026-11-29T08:00:00.000Z';
const at = (seconds: number): Date => new Date(Date.parse(CLAIMED) + seconds * 1000);

describe('claim checks', () => {
  it('checks a new claim one stale-claim period after it is taken', () => {
    expect(firstClaimCheckAt(new Date(CLAIMED), 300).toISOString()).to.equal('2026-11-29T08:05:00.000Z');
  });

  it('then waits as long again as the claim has lasted', () => {
    const checks = [300, 600, 1200, 2400].map((s) => nextClaimCheckAt(CLAIMED, at(s), 300).toISOString());
    expect(checks).to.deep.equal([
      '2026-11-29T08:10:00.000Z',
      '2026-11-29T08:20:00.000Z',
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T09:20:00.000Z',
    ]);
  });

  it(`stops doubling at ${MAX_CLAIM_CHECK_PERIODS} periods, so a dead workflow is noticed within an hour by default`, () => {
    expect(nextClaimCheckAt(CLAIMED, at(86_400), 300).getTime() - at(86_400).getTime()).to.equal(3_600_000);
  });

  it('waits at least one period, also for a claim without a time or one stamped in the future', () => {
    expect(nextClaimCheckAt(undefined, at(10), 300).toISOString()).to.equal(at(310).toISOString());
    expect(nextClaimCheckAt('not a time', at(10), 300).toISOString()).to.equal(at(310).toISOString());
    expect(nextClaimCheckAt(at(999).toISOString(), at(10), 300).toISOString()).to.equal(at(310).toISOString());
  });

  it('costs a 2-hour job 5 checks where one per period cost 23, and a day 27 where it cost 287', () => {
    expect(claimChecksWithin(7_200, 300)).to.equal(5);
    expect(claimChecksWithin(86_400, 300)).to.equal(27);
    expect(claimChecksWithin(299, 300), 'a job shorter than a period is never looked at again').to.equal(0);
  });

  it('refuses a period that is not a positive number', () => {
    expect(() => firstClaimCheckAt(new Date(CLAIMED), 0)).to.throw(/staleClaimSeconds must be a positive number/);
    expect(() => nextClaimCheckAt(CLAIMED, at(1), Number.NaN)).to.throw(/staleClaimSeconds/);
  });
});
