/**
 * The in-memory test engine (devhost test kit, virtual clock, scripted steps): 1,000 time-skipped
 * workflows of 10 polls, and the replay curve of one workflow with 10, 100 and 1,000 polls.
 * Run by bench/run.ts in its own process; prints one JSON line.
 */
// The test kit must load before any app code: it installs the functions-core stand-in.
import { createTestHost } from '@saga/devhost/testkit';
import { ORCHESTRATOR } from '../src/application/workflow/contracts';
import { activitiesOf, fakeSteps } from '../test/replay/fakeSteps';
import { APP as SAGA_APP, input as sagaInput } from '../test/replay/sagaInputs';
import { childMain } from './child';
import { scriptedSteps } from './scriptedSteps';

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const COUNT = Number(process.env.BENCH_TEST_ENGINE_WORKFLOWS ?? 1000);
// Started together, 1,000 did not go idle within minutes (the engine idles 250 ms real time per round
// while any instance is stalled), so this variant runs a smaller batch; see the bench report.
const TOGETHER = Number(process.env.BENCH_TEST_ENGINE_TOGETHER ?? 200);
const progress = (what: string): boolean => process.stderr.write(`  test engine: ${what}\n`);

async function testEngine(): Promise<Record<string, unknown>> {
  // Scripted steps shared by every instance, with results derived from each input alone.
  const activities = activitiesOf(scriptedSteps(10));
  const host = await createTestHost({ app: SAGA_APP, activities });
  const t0 = performance.now();
  // One after another: the kit's run() drives the virtual clock for the instance it waits on.
  for (let i = 0; i < COUNT; i++) {
    const r = await host.run(
      ORCHESTRATOR,
      sagaInput(`te-${i}`, { pollInitialDelaySeconds: 1, pollMaxIntervalSeconds: 1 }),
      { instanceId: `te-${i}` },
    );
    if (r.status !== 'Completed') throw new Error(`test engine: te-${i} ended ${r.status}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  progress(`${COUNT} × 10 polls one at a time: ${round(seconds, 2)} s`);
  const stats = host.engine.stats();
  await host.close();

  // The same 1,000 started together and driven to idle once: the kit's per-run idle wait is the cost above.
  const together = await createTestHost({ app: SAGA_APP, activities });
  const t1 = performance.now();
  for (let i = 0; i < TOGETHER; i++)
    await together.engine.startNew(ORCHESTRATOR, {
      instanceId: `tt-${i}`,
      input: sagaInput(`tt-${i}`, { pollInitialDelaySeconds: 1, pollMaxIntervalSeconds: 1 }),
    });
  await together.engine.whenIdle();
  const secondsTogether = (performance.now() - t1) / 1000;
  progress(`${TOGETHER} × 10 polls started together: ${round(secondsTogether, 2)} s`);
  for (let i = 0; i < TOGETHER; i++) {
    const s = await together.engine.getStatus(`tt-${i}`);
    if (s?.runtimeStatus !== 'Completed') throw new Error(`test engine: tt-${i} ended ${String(s?.runtimeStatus)}`);
  }
  await together.close();

  const curve: Record<string, unknown>[] = [];
  for (const n of [10, 100, 1000]) {
    const h = await createTestHost({
      app: SAGA_APP,
      activities: fakeSteps({ polls: { 1: [...Array<'Inprogress'>(n - 1).fill('Inprogress'), 'Pass'] } }).activities,
    });
    const before = h.engine.stats();
    const started = performance.now();
    await h.run(
      ORCHESTRATOR,
      sagaInput(`curve-${n}`, { pollInitialDelaySeconds: 1, pollMaxIntervalSeconds: 1, deadlineSeconds: 10_000_000 }),
      { instanceId: `curve-${n}` },
    );
    const after = h.engine.stats();
    curve.push({
      polls: n,
      episodes: after.episodes - before.episodes,
      historyEventsReplayed: after.historyEventsReplayed - before.historyEventsReplayed,
      orchestratorMs: round(after.orchestratorMs - before.orchestratorMs),
      totalMs: round(performance.now() - started),
    });
    await h.close();
  }
  return {
    workflows: COUNT,
    pollsEach: 10,
    seconds: round(seconds, 2),
    orchestratorSeconds: round(stats.orchestratorMs / 1000, 2),
    replayModelSeconds: round(stats.replayModelMs / 1000, 2),
    secondsStartedTogether: round(secondsTogether, 2),
    startedTogether: TOGETHER,
    episodes: stats.episodes,
    replayCurve: curve,
  };
}

childMain(() => testEngine());
