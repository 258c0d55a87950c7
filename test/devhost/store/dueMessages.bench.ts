/**
 * How long dueMessages and nextDueAt take with 1,000 instances, each with a 20-event history
 * (written over 5 commits) and one pending message, on an in-memory Azurite.
 * Run: npx tsx test/devhost/store/dueMessages.bench.ts
 */
import { TableTaskHubStore } from '@saga/devhost/engine';
import { startAzurite } from '@saga/devhost/localstack';
import { event, eventMessage, instance } from './contract';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const INSTANCES = 1000;

async function time<T>(label: string, runs: number, fn: () => Promise<T>): Promise<T> {
  let result: T | undefined;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = await fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label}: median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, min ${ms[0]!.toFixed(1)} ms, max ${ms[runs - 1]!.toFixed(1)} ms (${runs} runs)`,
  );
  return result!;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const store = await TableTaskHubStore.create({ connectionString: azurite.connectionString, taskHubName: 'bench' });
    const setupStart = Date.now();
    for (let b = 0; b < INSTANCES; b += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, k) => {
          const id = `inst-${b + k}`;
          await store.putInstance(instance(id), [], true);
          for (let c = 0; c < 5; c++) {
            const record = (await store.getInstance(id))!;
            await store.commitEpisode({
              instance: record,
              append: [0, 1, 2, 3].map((i) => event(c * 4 + i)),
              consumed: [],
              send: [],
            });
          }
          await store.putMessages([eventMessage(id, `m-${b + k}`, T0 + ((b + k) % 100), b + k)]);
        }),
      );
    }
    const commits = INSTANCES * 5;
    console.log(
      `setup: ${INSTANCES} instances, ${commits} commits, ${INSTANCES} messages in ${Date.now() - setupStart} ms (${((Date.now() - setupStart) / (commits + 2 * INSTANCES)).toFixed(2)} ms per operation, 20 in flight)`,
    );
    const due = await time('dueMessages(now) with 1,000 due', 10, () => store.dueMessages(T0 + 100));
    console.log(`  returned ${due.length}`);
    await time('dueMessages(now) with 0 due', 10, () => store.dueMessages(T0 - 1));
    await time('nextDueAt(now) with 1,000 later', 10, () => store.nextDueAt(T0 - 1));
    await time('loadHistory (20 events)', 20, () => store.loadHistory('inst-500', 'exec-1'));
  } finally {
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
