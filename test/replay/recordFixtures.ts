/**
 * Records the histories replayed by fixtures.replay.spec.ts:
 *   npx tsx test/replay/recordFixtures.ts
 * Re-record only on purpose (a deliberate orchestrator change with a versioning plan): a recorded
 * history stands for instances already running in production when new code is deployed.
 */
import { createTestHost } from '@saga/devhost/testkit';
import path from 'node:path';
import { ORCHESTRATOR } from '../../src/application/workflow/contracts';
import type { Outcome } from '../../src/domain/status';
import { fakeSteps, type FakeOptions } from './fakeSteps';
import { APP, input, START } from './sagaInputs';

export interface Fixture {
  steps: FakeOptions;
  events?: { at: number; name: string; data?: unknown }[];
  /** The outcome the recorded run ended with, and a replay must reproduce. */
  outcome: Outcome;
}

/**
 * The kit records the instance's current (last) execution only: earlier executions ended in
 * continueAsNew and their history is gone, as in Durable itself. The recorded input carries the
 * state handed over, so the replay starts where that execution did.
 */
export const FIXTURES: Record<string, Fixture> = {
  // The last execution: polling attempt 1 to Pass, then completing.
  happy: { steps: { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] } }, outcome: 'Pass' },
  // The last execution: attempt 2 polled to Pass after attempt 1 reported FailCanRetry.
  failcanretry: { steps: { polls: { 1: ['Inprogress', 'FailCanRetry'], 2: ['Inprogress', 'Pass'] } }, outcome: 'Pass' },
  // A single execution: admit, prepare, a refused submit, complete(Fail).
  refused: { steps: { polls: {}, submit: 'refused' }, outcome: 'Fail' },
  // The last execution: two polls, an operator cancel, cancelJob then completeRequest (compensation order).
  cancelled: {
    steps: { polls: { 1: ['Inprogress'] } },
    events: [{ at: 50_000, name: 'cancel', data: { reason: 'operator says stop' } }],
    outcome: 'Cancelled',
  },
};

export function fixtureFile(name: string): string {
  return path.join(__dirname, '..', 'fixtures', `requestWorkflow.${name}.history.json`);
}

async function main(): Promise<void> {
  for (const [name, fixture] of Object.entries(FIXTURES)) {
    const host = await createTestHost({ app: APP, activities: fakeSteps(fixture.steps).activities, start: START });
    const r = await host.run(ORCHESTRATOR, input(`fixture-${name}`), {
      instanceId: `fixture-${name}`,
      events: fixture.events,
    });
    if (r.status !== 'Completed') throw new Error(`${name}: ${r.status}`);
    await host.recordHistory(r.instanceId, fixtureFile(name));
    await host.close();
    console.log(`recorded ${fixtureFile(name)} (${r.history.length} events)`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
