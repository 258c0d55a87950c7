// ESM on purpose: the host must load .mjs entries with import().
import azureFunctions from '@azure/functions';

const { app } = azureFunctions;
const runs = (globalThis.__hostSampleTimerRuns ??= { tick: [], slow: [] });

app.timer('Tick', {
  schedule: '* * * * * *',
  runOnStartup: true,
  handler: async (timer, context) => {
    runs.tick.push({ timer, functionName: context.functionName });
  },
});

app.timer('SlowTick', {
  schedule: '%HOST_SAMPLE_SLOW_SCHEDULE%',
  handler: async () => {
    const run = { start: Date.now(), end: 0 };
    runs.slow.push(run);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    run.end = Date.now();
  },
});
