// The test kit must load before any app code: it installs the functions-core stand-in.
import { createTestHost, NonDeterminismError, type TestHost } from '@saga/devhost/testkit';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { ORCHESTRATOR } from '../../src/application/workflow/contracts';
import { FIXTURES, fixtureFile } from './recordFixtures';
import { APP, START } from './sagaInputs';

use(chaiAsPromised);

/**
 * Recorded histories in test/fixtures stand for instances in flight when new code is deployed.
 * Today's orchestrator must replay them exactly; a change in what it schedules (order, names,
 * kinds) is non-deterministic and fails here before it fails in production.
 */
describe("recorded requestWorkflow histories replay against today's orchestrator", () => {
  let host: TestHost;
  let dir: string;
  before(async () => {
    host = await createTestHost({ app: APP, start: START });
    dir = mkdtempSync(path.join(tmpdir(), 'fixtures-'));
  });
  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, fixture] of Object.entries(FIXTURES)) {
    it(`replays the ${name} history to the same result`, async () => {
      const result = await host.replayHistory(fixtureFile(name), ORCHESTRATOR);
      expect(result.isDone).to.equal(true);
      expect(result.output).to.include({ outcome: fixture.outcome, needsIntervention: false });
    });
  }

  it('fails with NonDeterminismError when the history scheduled a different activity than the code does', async () => {
    const recorded = JSON.parse(readFileSync(fixtureFile('refused'), 'utf8')) as { history: { Name?: string }[] };
    const scheduled = recorded.history.find((e) => e.Name === 'prepareSubmission');
    if (!scheduled) throw new Error('fixture has no prepareSubmission');
    scheduled.Name = 'prepareSubmissionV0';
    const edited = path.join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(recorded));
    await expect(host.replayHistory(edited, ORCHESTRATOR)).to.be.rejectedWith(
      NonDeterminismError,
      /prepareSubmissionV0.*prepareSubmission|prepareSubmission.*prepareSubmissionV0/,
    );
  });
});
