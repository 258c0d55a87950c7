import { expect } from 'chai';
import type { WorkflowCustomStatus } from '../../../src/application/workflow/contracts';
import { conciseReason, CUSTOM_STATUS_MAX_KB, customStatusSizeKb, REASON_MAX_CHARS } from '../../../src/domain/reasons';

describe('operator-facing reasons', () => {
  it('keeps the first non-empty line of an SDK error (reason, then the stack)', () => {
    const sdkError =
      "\nActivity function 'poll' failed: 503 from the job service \n Error: 503\n    at poll (/app/dist/poll.js:10:5)";
    expect(conciseReason(sdkError)).to.equal("Activity function 'poll' failed: 503 from the job service");
  });

  it('cuts a long line to REASON_MAX_CHARS, marking the cut', () => {
    const cut = conciseReason('y'.repeat(5000));
    expect(cut).to.have.length(REASON_MAX_CHARS);
    expect(cut.endsWith('…')).to.equal(true);
  });

  it('keeps the largest custom status the saga can build under the extension limit', () => {
    const worst: WorkflowCustomStatus = {
      stage: 'needsIntervention',
      attempt: 999,
      externalJobId: 'j'.repeat(200),
      lastExternalStatus: 'Inprogress',
      nextPollAt: '2030-01-01T00:00:00.000Z',
      version: 1e9,
      pendingPublications: 1e6,
      reason: conciseReason('€'.repeat(100_000)),
    };
    expect(customStatusSizeKb(worst)).to.be.at.most(CUSTOM_STATUS_MAX_KB);
  });
});
