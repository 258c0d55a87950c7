import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installCoreStandIn } from '@saga/devhost/internals';
import {
  createDurableEngine,
  EventType,
  realClock,
  TableTaskHubStore,
  type DurableEngine,
  type InstanceStatus,
  type TaskHubStore,
} from '@saga/devhost/engine';
import { startAzurite, type AzuriteServers } from '@saga/devhost/localstack';
import { startCutProxy, type CutProxy } from '../store/cutProxy';

const APP = path.join(__dirname, '../apps/engine-sample/index.ts');

/** The store with its due-message scans counted. */
function countingScans(store: TaskHubStore): { store: TaskHubStore; scans: () => number } {
  let scans = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (prop === 'dueMessages') scans++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, scans: () => scans };
}

/**
 * The scheduler over the table store starts the work for messages its own process wrote from
 * memory, and scans the task hub only on its poll interval and before it calls itself idle.
 */
describe('durable engine on Azurite: in-process wake', function () {
  this.timeout(120_000);
  let azurite: AzuriteServers;
  let proxy: CutProxy;
  let registrations: ReturnType<typeof installCoreStandIn>['registrations'];
  let hub = 0;
  const engines: DurableEngine[] = [];
  /** What the engines logged; a commit that lost to the other engine is expected, a scheduler error is not. */
  const logs: string[] = [];

  before(async () => {
    const core = installCoreStandIn();
    require(APP);
    registrations = core.registrations;
    azurite = await startAzurite();
    proxy = await startCutProxy(azurite.connectionString);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
    logs.length = 0;
  });
  function expectNoErrorsLogged(): void {
    expect(logs.filter((l) => !/changed during an episode; it will be retried/.test(l))).to.deep.equal([]);
  }
  after(async () => {
    await proxy?.stop();
    await azurite?.stop();
  });

  async function engineOn(
    taskHubName: string,
    opts: { wake: boolean; pollIntervalMs: number },
  ): Promise<{ engine: DurableEngine; scans: () => number }> {
    const store = await TableTaskHubStore.create({
      connectionString: proxy.connectionString,
      taskHubName,
      wake: opts.wake,
    });
    const counted = countingScans(store);
    const engine = createDurableEngine({
      registrations,
      store: counted.store,
      clock: realClock(),
      taskHubName,
      pollIntervalMs: opts.pollIntervalMs,
      log: (m) => logs.push(m),
    });
    engines.push(engine);
    await engine.start();
    await engine.whenIdle();
    return { engine, scans: counted.scans };
  }

  it('runs a workflow of 8 activities on one process with a constant number of scans instead of one per step', async () => {
    const runs = new Map<boolean, { scans: number; reads: number; writes: number }>();
    for (const wake of [false, true]) {
      // The poll is a minute away, so every scan counted here is one the scheduler chose to make.
      const { engine, scans } = await engineOn(`wake${++hub}`, { wake, pollIntervalMs: 60_000 });
      const before = scans();
      proxy.takeCounts();
      const id = await engine.startNew('Loop', { input: 8 });
      const done = await engine.waitForInstance(id);
      await engine.whenIdle();
      expect(done.runtimeStatus).to.equal('Completed');
      expect(done.output).to.equal(28);
      runs.set(wake, { scans: scans() - before, ...proxy.takeCounts() });
    }
    const off = runs.get(false)!;
    const on = runs.get(true)!;
    // Wake off: each of the 9 episodes and 8 activities is started by the scan that found its message.
    expect(off.scans).to.be.at.least(17);
    // Wake on: the scans before idling (after the last episode, and for whenIdle), none per step.
    expect(on.scans).to.be.at.most(2);
    expect(on.reads, 'task-hub reads: the scans saved, nothing added').to.be.at.most(
      off.reads - (off.scans - on.scans),
    );
    expect(on.writes).to.be.at.most(off.writes);
    expectNoErrorsLogged();
  });

  it('completes every instance exactly once with two engines on one task hub, events raised through the other one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'durable-wake-'));
    const effects = path.join(dir, 'effects.log');
    process.env.SIDE_EFFECT_FILE = effects;
    try {
      const name = `wake${++hub}`;
      const a = await engineOn(name, { wake: true, pollIntervalMs: 50 });
      const b = await engineOn(name, { wake: true, pollIntervalMs: 50 });
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const [starter, other] = i % 2 ? [a.engine, b.engine] : [b.engine, a.engine];
        const id = await starter.startNew(i % 3 ? 'EarlyEvent' : 'Chain', { instanceId: `shared-${i}` });
        if (i % 3) expect(await other.raiseEvent(id, 'Go', { from: i })).to.equal('accepted');
        ids.push(id);
      }
      const finished = await Promise.all(
        ids.map((id) => Promise.race<InstanceStatus>([a.engine.waitForInstance(id), b.engine.waitForInstance(id)])),
      );
      finished.forEach((s, i) => {
        expect(s.runtimeStatus, s.instanceId).to.equal('Completed');
        expect(s.output, s.instanceId).to.deep.equal(
          i % 3 ? { greeting: 'Hello early', go: { from: i } } : ['Hello Tokyo', 'Hello Seattle', 'Hello London'],
        );
      });
      for (const [i, id] of ids.entries()) {
        const { history } = (await a.engine.inspect(id))!;
        const count = (type: number): number => history.filter((e) => e.EventType === type).length;
        expect(count(EventType.ExecutionStarted), `${id} started once`).to.equal(1);
        expect(count(EventType.EventRaised), `${id} got its event once`).to.equal(i % 3 ? 1 : 0);
        expect(count(EventType.TaskCompleted), `${id} each activity completed once`).to.equal(
          count(EventType.TaskScheduled),
        );
        expect(count(EventType.ExecutionCompleted)).to.equal(1);
      }
      const lines = readFileSync(effects, 'utf8').split('\n').filter(Boolean);
      expect(
        lines.filter((l) => l === 'Hello "early"'),
        'one Hello per EarlyEvent instance',
      ).to.have.length(40);
      for (const city of ['Tokyo', 'Seattle', 'London'])
        expect(
          lines.filter((l) => l === `Hello "${city}"`),
          city,
        ).to.have.length(20);
      expect(a.engine.stats().activitiesRun + b.engine.stats().activitiesRun).to.equal(40 + 60);
      expectNoErrorsLogged();
    } finally {
      delete process.env.SIDE_EFFECT_FILE;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
