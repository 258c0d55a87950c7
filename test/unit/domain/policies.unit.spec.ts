import { expect } from 'chai';
import {
  canRetry,
  deadlineAt,
  DEFAULT_WORKFLOW_POLICY,
  isPastDeadline,
  pollDelaySeconds,
  policyProblems,
  validatePolicy,
  type WorkflowPolicy,
} from '../../../src/domain/policies';

describe('workflow policy', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_WORKFLOW_POLICY).to.deep.equal({
      pollInitialDelaySeconds: 15,
      pollBackoffFactor: 2,
      pollMaxIntervalSeconds: 300,
      deadlineSeconds: 86_400,
      maxAttempts: 3,
      pollsPerExecution: 20,
    });
  });

  it('poll delays grow exponentially up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 1000].map((i) => pollDelaySeconds(i, DEFAULT_WORKFLOW_POLICY));
    expect(delays).to.deep.equal([15, 30, 60, 120, 240, 300, 300, 300]);
  });

  it('the cap also bounds an initial delay above it', () => {
    expect(pollDelaySeconds(0, { ...DEFAULT_WORKFLOW_POLICY, pollInitialDelaySeconds: 900 })).to.equal(300);
  });

  it('the deadline is admission plus deadlineSeconds', () => {
    expect(deadlineAt('2025-01-01T00:00:00.000Z', DEFAULT_WORKFLOW_POLICY)).to.equal('2025-01-02T00:00:00.000Z');
    expect(() => deadlineAt('yesterday', DEFAULT_WORKFLOW_POLICY)).to.throw(/admittedAt/);
  });

  it('a request is past its deadline from the deadline instant on', () => {
    const deadline = '2025-01-02T00:00:00.000Z';
    expect(isPastDeadline('2025-01-01T23:59:59.999Z', deadline)).to.equal(false);
    expect(isPastDeadline(deadline, deadline)).to.equal(true);
    expect(isPastDeadline('2025-01-02T00:00:01Z', deadline)).to.equal(true);
  });

  it('retries while attempts remain', () => {
    expect([1, 2, 3].map((a) => canRetry(a, DEFAULT_WORKFLOW_POLICY))).to.deep.equal([true, true, false]);
  });

  it('validation names every bad field', () => {
    const bad: WorkflowPolicy = {
      pollInitialDelaySeconds: 0,
      pollBackoffFactor: 0.5,
      pollMaxIntervalSeconds: NaN,
      deadlineSeconds: -1,
      maxAttempts: 1.5,
      pollsPerExecution: 0,
    };
    expect(policyProblems(bad).map((p) => p.field)).to.have.members([
      'pollInitialDelaySeconds',
      'pollBackoffFactor',
      'pollMaxIntervalSeconds',
      'deadlineSeconds',
      'maxAttempts',
      'pollsPerExecution',
    ]);
    expect(() => validatePolicy(bad)).to.throw(
      /^\[Validation\] invalid workflow policy: .*maxAttempts must be a positive integer, got 1\.5/,
    );
    expect(validatePolicy(DEFAULT_WORKFLOW_POLICY)).to.equal(DEFAULT_WORKFLOW_POLICY);
  });
});
