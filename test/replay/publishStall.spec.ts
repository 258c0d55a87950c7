// An Event Grid outage delays the saga at continueAsNew by the step retry window, not by the hours-long publish retry.
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
    // Before continueAsNew publishing is tried with the step retry policy (1 s, 2 s: 3 s), then carried over.
    expect(at(ACTIVITY.poll), 'first poll (s after start)').to.equal(3 + 15);
    expect(at(ACTIVITY.cancelJob), 'cancelJob (s after start)').to.equal(60);
  });
});
