/**
 * Records the histories replayed by fixtures.replay.spec.ts:
 *   npx tsx test/replay/recordFixtures.ts
 * Re-record only on purpose (a deliberate orchestrator change with a versioning plan): a recorded
 * history stands for instances already running in production when new code is deployed.
 */
import { createTestHost } from '../../devhost/testkit';
import path from 'node:path';
import { ORCHESTRATOR } from '../../src/application/workflow/contracts';
import { fakeSteps, type FakeOptions } from './fakeSteps';
import { APP, input, START } from './sagaInputs';

export const FIXTURES: Record<string, FakeOptions> = {
  // The last execution: polling attempt 1 to Pass, then completing.
  happy: { polls: { 1: ['Inprogress', 'Inprogress', 'Pass'] } },
  // The last execution: attempt 2 polled to Pass after attempt 1 reported FailCanRetry.
  failcanretry: { polls: { 1: ['Inprogress', 'FailCanRetry'], 2: ['Inprogress', 'Pass'] } },
  // A single execution: admit, prepare, a refused submit, complete(Fail).
  refused: { polls: {}, submit: 'refused' },
};

export function fixtureFile(name: string): string {
  return path.join(__dirname, '..', 'fixtures', `requestWorkflow.${name}.history.json`);
}

async function main(): Promise<void> {
  for (const [name, options] of Object.entries(FIXTURES)) {
    const host = await createTestHost({ app: APP, activities: fakeSteps(options).activities, start: START });
    const r = await host.run(ORCHESTRATOR, input(`fixture-${name}`), { instanceId: `fixture-${name}` });
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
