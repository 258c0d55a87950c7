const { app } = require('@azure/functions');
const df = require('durable-functions');

df.app.orchestration('Approval', function* (context) {
  const decision = yield context.df.waitForExternalEvent('Approve');
  const stamped = yield context.df.callActivity('Stamp', { decision, input: context.df.getInput() });
  return stamped;
});

df.app.activity('Stamp', { handler: (input) => ({ ...input, stamped: true }) });

// A durable entity: counts its operations.
df.app.entity('Counter', (context) => context.df.setState((context.df.getState(() => 0) ?? 0) + 1));

app.http('StartApproval', {
  route: 'approval/start/{instanceId?}',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const input = await request.json();
    const instanceId = await client.startNew('Approval', { input, instanceId: request.params.instanceId });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

// One route per DurableClient method, so tests drive the official client through the host.
df.app.client.http('ClientOps', {
  route: 'client/{op}/{id?}',
  methods: ['GET', 'POST', 'DELETE'],
  handler: async (request, client) => {
    const id = request.params.id;
    const q = request.query;
    switch (request.params.op) {
      case 'status': {
        const s = await client.getStatus(id, { showHistory: q.get('history') === 'true', showInput: true });
        return {
          jsonBody: {
            ...s,
            createdTime: s.createdTime.toISOString(),
            lastUpdatedTime: s.lastUpdatedTime.toISOString(),
            isDate: s.createdTime instanceof Date,
          },
        };
      }
      case 'raise':
        await client.raiseEvent(id, q.get('event'), await request.json());
        return { status: 202 };
      case 'terminate':
        await client.terminate(id, q.get('reason'));
        return { status: 202 };
      case 'suspend':
        await client.suspend(id, 'pause');
        return { status: 202 };
      case 'resume':
        await client.resume(id, 'go');
        return { status: 202 };
      case 'purge':
        return { jsonBody: await client.purgeInstanceHistory(id) };
      case 'purgeBy':
        return {
          jsonBody: await client.purgeInstanceHistoryBy({
            createdTimeFrom: new Date(q.get('from')),
            runtimeStatus: q.get('status') ? q.get('status').split(',') : undefined,
          }),
        };
      case 'list':
        return { jsonBody: await client.getStatusAll() };
      case 'listBy':
        return { jsonBody: await client.getStatusBy({ runtimeStatus: q.get('status').split(',') }) };
      case 'start': {
        const newId = await client.startNew(q.get('name'), { instanceId: id });
        return { jsonBody: { id: newId } };
      }
      case 'signalEntity':
        await client.signalEntity(new df.EntityId('Counter', id), q.get('op') ?? 'count');
        return { status: 202 };
      case 'readEntity':
        return { jsonBody: await client.readEntityState(new df.EntityId('Counter', id)) };
      case 'payload':
        return { jsonBody: client.createHttpManagementPayload(id) };
      default:
        return { status: 400, body: `unknown op ${request.params.op}` };
    }
  },
});

// Finishes right away: start-and-wait and restart.
df.app.orchestration('Quick', function* (context) {
  return yield context.df.callActivity('Stamp', context.df.getInput());
});

// Fails on its first run and succeeds once rewound.
const flakyRuns = new Map();
df.app.activity('FlakyStep', {
  handler: (input) => {
    const runs = (flakyRuns.get(input) ?? 0) + 1;
    flakyRuns.set(input, runs);
    if (runs === 1) throw new Error(`first run of ${input} fails`);
    return runs;
  },
});
df.app.orchestration('Flaky', function* (context) {
  return yield context.df.callActivity('FlakyStep', context.df.instanceId);
});
