const df = require('durable-functions');

df.app.activity('SayHello', { handler: (name) => `Hello ${name}!` });
df.app.activity('GetWorkItems', { handler: (count) => Array.from({ length: count }, (_, i) => i + 1) });
df.app.activity('Square', { handler: (n) => n * n });

// Checks an imaginary job: done on the third check of the same instance.
const checks = new Map();
df.app.activity('CheckJob', {
  handler: (instanceId) => {
    const n = (checks.get(instanceId) ?? 0) + 1;
    checks.set(instanceId, n);
    return n >= 3 ? 'done' : 'running';
  },
});

// Function chaining.
df.app.orchestration('HelloSequence', function* (context) {
  // No input arrives as '' (the client sends the empty JSON string).
  const cities = context.df.getInput() || ['Tokyo', 'Seattle', 'London'];
  const out = [];
  for (const city of cities) out.push(yield context.df.callActivity('SayHello', city));
  return out;
});

// Fan-out / fan-in.
df.app.orchestration('FanOutFanIn', function* (context) {
  const items = yield context.df.callActivity('GetWorkItems', context.df.getInput() || 10);
  const squares = yield context.df.Task.all(items.map((n) => context.df.callActivity('Square', n)));
  return squares.reduce((a, b) => a + b, 0);
});

// Human interaction: an approval event or a timeout, whichever comes first; the timer is cancelled.
df.app.orchestration('Approval', function* (context) {
  const deadline = new Date(
    context.df.currentUtcDateTime.getTime() + (context.df.getInput()?.timeoutSeconds ?? 300) * 1000,
  );
  const timer = context.df.createTimer(deadline);
  const approval = context.df.waitForExternalEvent('Approval');
  const winner = yield context.df.Task.any([approval, timer]);
  if (winner === approval) {
    timer.cancel();
    return { approved: approval.result };
  }
  return { approved: false, reason: 'timed out' };
});

// Monitor: check, sleep, check again until done.
df.app.orchestration('Monitor', function* (context) {
  let status = 'running';
  let checks = 0;
  while (status !== 'done') {
    status = yield context.df.callActivity('CheckJob', context.df.instanceId);
    checks++;
    context.df.setCustomStatus({ checks, status });
    if (status !== 'done') yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
  }
  return { checks };
});

// Sub-orchestrations.
df.app.orchestration('Parent', function* (context) {
  const first = yield context.df.callSubOrchestrator('HelloSequence', ['Paris'], `${context.df.instanceId}:a`);
  const second = yield context.df.callSubOrchestrator('HelloSequence', ['Rome', 'Oslo']);
  return [...first, ...second];
});

// Entities: signal, then call.
df.app.entity('Counter', (context) => {
  const value = context.df.getState(() => 0);
  switch (context.df.operationName) {
    case 'add':
      context.df.setState(value + context.df.getInput());
      break;
    case 'reset':
      context.df.setState(0);
      break;
    case 'get':
      context.df.return(value);
      break;
    default:
      throw new Error(`Counter has no operation '${context.df.operationName}'`);
  }
});
df.app.orchestration('CounterUser', function* (context) {
  const counter = new df.EntityId('Counter', context.df.getInput());
  context.df.signalEntity(counter, 'add', 10);
  context.df.signalEntity(counter, 'add', 5);
  return yield context.df.callEntity(counter, 'get');
});

// callHttp with the 202 polling pattern against this app's own SlowJob endpoint.
df.app.orchestration('HttpPoll', function* (context) {
  const res = yield context.df.callHttp({ method: 'GET', url: context.df.getInput().url });
  return { statusCode: res.statusCode, body: JSON.parse(res.content) };
});
df.app.orchestration('HttpWithIdentity', function* (context) {
  const res = yield context.df.callHttp({
    method: 'GET',
    url: context.df.getInput().url,
    tokenSource: new df.ManagedIdentityTokenSource('https://management.core.windows.net/.default'),
  });
  return res.statusCode;
});
