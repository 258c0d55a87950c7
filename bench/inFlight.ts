/**
 * N saga instances in flight at once on the devhost engine with the memory store and the real clock:
 * started together, driven until every one waits on its first poll timer (an hour away), then the
 * process's RSS and live heap per in-flight instance. Steps are scripted (no Cosmos, no mock), so
 * this measures the engine and the orchestrations alone. Run by bench/scale.ts in its own process;
 * prints one JSON line. Usage: inFlight.ts <count>
 */
import { createDurableEngine, createMemoryStore, realClock } from '@saga/devhost/engine';
import { loadAppOnce } from '@saga/devhost/testkit';
import { ORCHESTRATOR } from '../src/application/workflow/contracts';
import { APP as SAGA_APP, input as sagaInput } from '../test/replay/sagaInputs';
import { childMain } from './child';
import { scriptedSteps } from './scriptedSteps';

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const mb = (b: number): number => round(b / 2 ** 20);

async function inFlight(count: number): Promise<Record<string, unknown>> {
  const registrations = await loadAppOnce(SAGA_APP);
  const steps = new Map<string, (input: unknown) => unknown>(
    Object.entries(scriptedSteps(Number.MAX_SAFE_INTEGER)).map(([k, f]) => [
      k.toLowerCase(),
      (input: unknown) => f(input as never),
    ]),
  );
  const engine = createDurableEngine({
    registrations,
    store: createMemoryStore(),
    clock: realClock(),
    taskHubName: 'InFlight',
    maxConcurrentActivities: 16,
    log: () => undefined,
    activityOverride: (name, input) => Promise.resolve(steps.get(name.toLowerCase())?.(input)),
  });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  await engine.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    await engine.startNew(ORCHESTRATOR, {
      instanceId: `if-${i}`,
      input: sagaInput(`if-${i}`, { pollInitialDelaySeconds: 3600, pollMaxIntervalSeconds: 3600 }),
    });
    if (i % 1000 === 999)
      process.stderr.write(`  in flight: ${i + 1} started after ${round((performance.now() - t0) / 1000)} s\n`);
  }
  await engine.whenIdle();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = engine.stats();
  const running = (await engine.list({ runtimeStatus: ['Running'] })).items.length;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  await engine.stop();
  return {
    instances: count,
    running,
    secondsToFirstTimer: round(seconds, 2),
    instancesPerSecond: round(count / seconds),
    cpuMsPerInstance: round((cpu.user + cpu.system) / 1000 / count, 2),
    episodesPerInstance: round(stats.episodes / count, 2),
    activitiesPerInstance: round(stats.activitiesRun / count, 2),
    rssMb: { before: mb(rssBefore), peak: mb(peakRss), inFlightAfterGc: mb(rss) },
    kbPerInFlightInstance: {
      rss: round((rss - rssBefore) / 1024 / count, 2),
      heap: round((heap - heapBefore) / 1024 / count, 2),
    },
  };
}

childMain(() => inFlight(Number(process.argv[2] ?? 10_000)));
