/**
 * A Durable Functions app written against the real packages, used by the engine tests, the test
 * kit tests, the crash test and the replay benchmark. Activities append a line to
 * $SIDE_EFFECT_FILE (when set) so tests can see every execution, including repeats.
 */
import { appendFileSync } from 'node:fs';
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

function sideEffect(activity: string, input: unknown): void {
  const file = process.env.SIDE_EFFECT_FILE;
  if (file) appendFileSync(file, `${activity} ${JSON.stringify(input)}\n`);
}

const flakyAttempts = new Map<string, number>();
let variant: 'A' | 'B' = 'A';
/** Simulates deploying changed orchestrator code while instances are in flight. */
export function setVariant(v: 'A' | 'B'): void {
  variant = v;
}

df.app.activity('Hello', {
  handler: (name: unknown) => {
    sideEffect('Hello', name);
    return `Hello ${String(name)}`;
  },
});
df.app.activity('Echo', { handler: (x: unknown) => x });
df.app.activity('Flaky', {
  handler: (input: unknown) => {
    const { key, failTimes } = input as { key: string; failTimes: number };
    const n = (flakyAttempts.get(key) ?? 0) + 1;
    flakyAttempts.set(key, n);
    if (n <= failTimes) throw new Error(`flaky failure #${n}`);
    return { attempts: n };
  },
});
df.app.activity('SlowStep', {
  handler: async (input: unknown) => {
    const { id, step } = input as { id: string; step: number };
    await new Promise((r) => setTimeout(r, 40));
    sideEffect('SlowStep', { id, step });
    return step * 10;
  },
});

const at = (ctx: OrchestrationContext): string => ctx.df.currentUtcDateTime.toISOString();

const chain: OrchestrationHandler = function* (ctx) {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push((yield ctx.df.callActivity('Hello', city)) as string);
  return out;
};
df.app.orchestration('Chain', chain);

df.app.orchestration('RetryThenSucceed', function* (ctx) {
  const opts = new df.RetryOptions(1000, 3);
  opts.backoffCoefficient = 2;
  const result: unknown = yield ctx.df.callActivityWithRetry('Flaky', opts, { key: ctx.df.instanceId, failTimes: 2 });
  return { result, finishedAt: at(ctx) };
});

df.app.orchestration('RetryExhaust', function* (ctx) {
  const startedAt = at(ctx);
  try {
    yield ctx.df.callActivityWithRetry('Flaky', new df.RetryOptions(500, 2), { key: ctx.df.instanceId, failTimes: 99 });
    return 'unexpected success';
  } catch (err) {
    return { error: (err as Error).message, startedAt, caughtAt: at(ctx) };
  }
});

df.app.orchestration('Race', function* (ctx) {
  const deadline = new Date(ctx.df.currentUtcDateTime.getTime() + 60 * 60 * 1000);
  const timer = ctx.df.createTimer(deadline);
  const approval = ctx.df.waitForExternalEvent('Approval');
  const winner: unknown = yield ctx.df.Task.any([approval, timer]);
  if (winner === approval) {
    timer.cancel();
    return { outcome: 'approved', by: approval.result, at: at(ctx) };
  }
  return { outcome: 'timeout', at: at(ctx) };
});

df.app.orchestration('EarlyEvent', function* (ctx) {
  const greeting: unknown = yield ctx.df.callActivity('Hello', 'early');
  const go: unknown = yield ctx.df.waitForExternalEvent('Go');
  return { greeting, go };
});

df.app.orchestration('FanOut', function* (ctx) {
  const n = ctx.df.getInput() as number;
  const tasks = Array.from({ length: n }, (_, i) => ctx.df.callActivity('Echo', i));
  const results = (yield ctx.df.Task.all(tasks)) as number[];
  return results.reduce((a, b) => a + b, 0);
});

df.app.orchestration('Counter', function* (ctx) {
  const { count, until } = ctx.df.getInput() as { count: number; until: number };
  if (count >= until) return { count };
  yield ctx.df.callActivity('Echo', count);
  ctx.df.continueAsNew({ count: count + 1, until });
  return undefined;
});

df.app.orchestration('Parent', function* (ctx) {
  const child: unknown = yield ctx.df.callSubOrchestrator('Child', { city: 'Paris' }, `${ctx.df.instanceId}-child`);
  return { child };
});
df.app.orchestration('Child', function* (ctx) {
  const { city } = ctx.df.getInput() as { city: string };
  if (city === 'Nowhere') throw new Error('no such city');
  return yield ctx.df.callActivity('Hello', city);
});

df.app.orchestration('Staged', function* (ctx) {
  ctx.df.setCustomStatus({ stage: 'waiting' });
  const data: unknown = yield ctx.df.waitForExternalEvent('Go');
  ctx.df.setCustomStatus({ stage: 'done' });
  return data;
});

df.app.orchestration('Versioned', function* (ctx) {
  const first: unknown = yield ctx.df.callActivity(variant === 'A' ? 'Hello' : 'Echo', 'v');
  const go: unknown = yield ctx.df.waitForExternalEvent('Go');
  return { first, go };
});

df.app.orchestration('SevenDays', function* (ctx) {
  const startedAt = at(ctx);
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 7 * 24 * 3600 * 1000));
  const greeting: unknown = yield ctx.df.callActivity('Hello', 'next week');
  return { startedAt, greeting, finishedAt: at(ctx) };
});

df.app.orchestration('Boom', function* (ctx) {
  yield ctx.df.callActivity('Echo', 1);
  throw new Error('boom in orchestrator');
});

df.app.orchestration('FailingStep', function* (ctx) {
  const key = ctx.df.getInput() as string;
  const r: unknown = yield ctx.df.callActivity('Flaky', { key, failTimes: 1 });
  return r;
});

df.app.orchestration('Loop', function* (ctx) {
  const n = ctx.df.getInput() as number;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (yield ctx.df.callActivity('Echo', i)) as number;
  return sum;
});

df.app.orchestration('CrashWorkflow', function* (ctx) {
  const id = ctx.df.instanceId;
  let total = 0;
  for (let step = 1; step <= 4; step++) total += (yield ctx.df.callActivity('SlowStep', { id, step })) as number;
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 300));
  const parallel = (yield ctx.df.Task.all(
    [5, 6].map((step) => ctx.df.callActivity('SlowStep', { id, step })),
  )) as number[];
  return total + parallel.reduce((a, b) => a + b, 0);
});

/** Sets a custom status of `input` characters: over 16 KB of UTF-16 fails the instance in Azure. */
df.app.orchestration('BigStatus', function* (ctx) {
  ctx.df.setCustomStatus('x'.repeat(ctx.df.getInput<number>()));
  yield ctx.df.callActivity('Echo', 1);
  return 'done';
});

/** A durable entity: a number with add / get / fail / reset. */
df.app.entity('Tally', (ctx) => {
  const value = ctx.df.getState(() => 0) as number;
  switch (ctx.df.operationName) {
    case 'add': {
      const next = value + (ctx.df.getInput() as number);
      ctx.df.setState(next);
      ctx.df.return(next);
      break;
    }
    case 'get':
      ctx.df.return(value);
      break;
    case 'fail':
      throw new Error('tally cannot do that');
    case 'reset':
      ctx.df.destructOnExit();
      break;
    case 'forward':
      ctx.df.setState(value);
      ctx.df.signalEntity(new df.EntityId('Tally', ctx.df.getInput() as string), 'add', value);
      break;
    default:
      throw new Error(`unknown operation ${ctx.df.operationName}`);
  }
});

df.app.orchestration('TallyUp', function* (ctx) {
  const key = ctx.df.getInput<string>();
  const tally = new df.EntityId('Tally', key);
  ctx.df.signalEntity(tally, 'add', 5);
  const afterCall = yield ctx.df.callEntity(tally, 'add', 2);
  let failure = '';
  try {
    yield ctx.df.callEntity(tally, 'fail');
  } catch (e) {
    failure = e instanceof Error ? 'caught' : String(e);
  }
  const got = yield ctx.df.callEntity(tally, 'get');
  return { afterCall, failure, got };
});

/** Many calls to one entity at once: each sees the state the previous one left. */
df.app.orchestration('TallyFanIn', function* (ctx) {
  const tally = new df.EntityId('Tally', ctx.df.getInput<string>());
  const seen = (yield ctx.df.Task.all(
    Array.from({ length: 20 }, () => ctx.df.callEntity(tally, 'add', 1)),
  )) as number[];
  return seen;
});

df.app.orchestration('CallsMissingEntity', function* (ctx) {
  return yield ctx.df.callEntity(new df.EntityId('NoSuchEntity', 'k'), 'get');
});

/** Entity locks (critical sections) are not modelled: the instance must fail, not hang. */
df.app.orchestration('Locker', function* (ctx) {
  yield ctx.df.lock([new df.EntityId('Tally', 'locked')]);
  return 'locked';
});

/** callHttp with the 202 pattern, then an activity: its sequence id comes after the poll's hidden ids. */
df.app.orchestration('HttpPoller', function* (ctx) {
  const res = yield ctx.df.callHttp({ method: 'POST', url: ctx.df.getInput<string>(), body: { job: 1 } });
  const echoed = yield ctx.df.callActivity('Echo', res.statusCode);
  return { statusCode: res.statusCode, content: res.content, echoed };
});
