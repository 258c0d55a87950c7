/**
 * Replay cost of a long orchestration under the engine (Path A, in-memory store, virtual clock):
 * `Loop(n)` runs n sequential activities, so it needs n+1 episodes, each replaying the whole
 * history so far. Compare with docs/DURABLE_PROTOCOL.md §10.
 *   node --require tsx/cjs devhost/bench/replayCost.ts [n=1000]
 */
import path from 'node:path';
import { createTestHost } from '../testkit';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  process.env.DEVHOST_QUIET = '1';
  const host = await createTestHost({ app: path.join(__dirname, '../../test/devhost/apps/engine-sample/index.ts') });
  await host.run('Loop', 10); // warm-up
  const before = host.engine.stats();
  const started = performance.now();
  const r = await host.run('Loop', n);
  const total = performance.now() - started;
  const after = host.engine.stats();
  await host.close();
  const episodes = after.episodes - before.episodes;
  const orchestratorMs = after.orchestratorMs - before.orchestratorMs;
  console.log(
    JSON.stringify({
      n,
      status: r.status,
      output: r.output,
      episodes,
      totalMs: Math.round(total),
      orchestratorMs: Math.round(orchestratorMs),
      replayModelMs: Math.round(after.replayModelMs - before.replayModelMs),
      historyEventsReplayed: after.historyEventsReplayed - before.historyEventsReplayed,
      lastEpisodeHistory: r.history.length,
      msPerEpisode: +(total / episodes).toFixed(2),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
