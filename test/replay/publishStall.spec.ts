// An Event Grid outage does not delay the saga: pending events are published in the background of the poll waits.
import { createTestHost, type TestHost } from '../../devhost/testkit';
import { expect } from 'chai';
import { ACTIVITY, ORCHESTRATOR, type WorkflowOutput } from '../../src/application/workflow/contracts';
import { fakeSteps } from './fakeSteps';
import { APP, input, RETRY, START } from './sagaInputs';

describe('requestWorkflow during an Event Grid outage (production publish retry: 30 s doubling, 30 attempts)', () => {
  let host: TestHost | undefined;
  afterEach(async () => host?.close());

  it('keeps polling and acts on an operator cancel while publishEvents is still retrying', async () => {
    const fake = fakeSteps({ polls: { 1: ['Inprogress'] }, unpublishedFrom: [ACTIVITY.submit], publish: 'down' });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-outage');
    i.retry = { ...RETRY, publishFirstRetryMs: 30_000, publishMaxAttempts: 30, maxRetryIntervalMs: 600_000 };
    const r = await host.run(ORCHESTRATOR, i, { instanceId: 'eg-outage', events: [{ at: 60_000, name: 'cancel', data: { reason: 'stop' } }] });
    const at = (name: string): number | undefined => { const c = r.activityCalls.find((x) => x.name === name); return c && (c.at.getTime() - START.getTime()) / 1000; };
    expect((r.output as WorkflowOutput).outcome).to.equal('Cancelled');
    // Publishing runs during the first poll wait (step retry policy: at 0, 1 and 3 s) and holds nothing up.
    expect(at(ACTIVITY.poll), 'first poll (s after start)').to.equal(15);
    const publishes = r.activityCalls.filter((c) => c.name === ACTIVITY.publish).map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(publishes.slice(0, 3), 'publish attempts in the first wait (s after start)').to.deep.equal([0, 1, 3]);
    expect(at(ACTIVITY.cancelJob), 'cancelJob (s after start)').to.equal(60);
  });

  it('a publication still retrying at continueAsNew is carried over and finished by the next execution', async () => {
    // Publish retries 10 s apart outlast the 15 s poll wait; one poll per execution forces continueAsNew mid-retry.
    const fake = fakeSteps({ polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] }, unpublishedFrom: [ACTIVITY.submit], publishFailsFirst: 4 });
    host = await createTestHost({ app: APP, activities: fake.activities, start: START });
    const i = input('eg-carry', { pollsPerExecution: 1 });
    i.retry = { ...RETRY, stepFirstRetryMs: 10_000, stepMaxAttempts: 3, publishFirstRetryMs: 10_000 };
    const r = await host.run(ORCHESTRATOR, i, { instanceId: 'eg-carry' });
    const out = r.output as WorkflowOutput;
    expect(out).to.include({ outcome: 'Pass', needsIntervention: false });
    expect(out).to.not.have.property('unpublishedVersions');
    const polls = r.activityCalls.filter((c) => c.name === ACTIVITY.poll).map((c) => (c.at.getTime() - START.getTime()) / 1000);
    expect(polls[0], 'first poll on time despite the running publication').to.equal(15);
    // Four failures, then success; an attempt running at a continueAsNew is repeated by the next execution.
    expect(fake.calls[ACTIVITY.publish]).to.be.greaterThan(4);
    expect(r.activityCalls.filter((c) => c.name === ACTIVITY.publish).every((c) => JSON.stringify(c.input) === JSON.stringify({ requestId: 'eg-carry', versions: [3] }))).to.equal(true);
  });
});
