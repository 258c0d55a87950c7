/**
 * Orchestrations whose outcome Azure decides in the Durable extension's shim and DTFx, not in the
 * durable-functions SDK: the engine's replay model must give Azure's answer for each.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const later = (ctx: OrchestrationContext, ms: number): Date => new Date(ctx.df.currentUtcDateTime.getTime() + ms);

df.app.activity('Step', { handler: (x: unknown) => x });
df.app.activity('Publish', { handler: (x: unknown) => x });

// A retrying task wins a race whose timer is then cancelled (the shape of the old saga's publish wait).
df.app.orchestration('RetryWinsCancelledRace', function* (ctx) {
  const timer = ctx.df.createTimer(later(ctx, HOUR));
  const publish = ctx.df.callActivityWithRetry('Publish', new df.RetryOptions(1000, 3), 'v1');
  const winner: unknown = yield ctx.df.Task.any([timer, publish]);
  if (winner === publish) timer.cancel();
  return yield ctx.df.callActivity('Step', 'after the race');
});

// The same race with a plain activity: one id, taken when it is created.
df.app.orchestration('PlainWinsCancelledRace', function* (ctx) {
  const timer = ctx.df.createTimer(later(ctx, HOUR));
  const publish = ctx.df.callActivity('Publish', 'v1');
  const winner: unknown = yield ctx.df.Task.any([timer, publish]);
  if (winner === publish) timer.cancel();
  return yield ctx.df.callActivity('Step', 'after the race');
});

// Returns while the timer it raced against is still pending (not cancelled).
df.app.orchestration('ReturnsWithOpenTimer', function* (ctx) {
  yield ctx.df.Task.any([ctx.df.createTimer(later(ctx, HOUR)), ctx.df.callActivity('Step', 1)]);
  return 'returned';
});

// Throws while the timer it raced against is still pending.
df.app.orchestration('ThrowsWithOpenTimer', function* (ctx) {
  yield ctx.df.Task.any([ctx.df.createTimer(later(ctx, HOUR)), ctx.df.callActivity('Step', 1)]);
  throw new Error('gave up');
});

// Generation 0 continues as new while its timer is pending; generation 1 waits for 'Next'.
df.app.orchestration('ContinuesWithOpenTimer', function* (ctx) {
  const generation = ctx.df.getInput<number>() ?? 0;
  if (generation === 0) {
    yield ctx.df.Task.any([ctx.df.createTimer(later(ctx, HOUR)), ctx.df.callActivity('Step', 1)]);
    ctx.df.continueAsNew(1);
    return undefined;
  }
  const next: unknown = yield ctx.df.waitForExternalEvent('Next');
  return { generation, next, at: ctx.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration('TenDays', function* (ctx) {
  yield ctx.df.createTimer(later(ctx, 10 * DAY));
  return ctx.df.currentUtcDateTime.toISOString();
});

// Throws a string: the SDK's state then carries no `error`, and the extension's shim waits for ever.
df.app.orchestration('ThrowsString', function* (ctx) {
  yield ctx.df.callActivity('Step', 1);
  throw 'not an Error';
});
