const { app } = require('@azure/functions');
const df = require('durable-functions');

// HTTP starter, as in the samples: POST /api/orchestrators/{name}/{id?} with the input as body.
df.app.client.http('HttpStart', {
  route: 'orchestrators/{orchestratorName}/{instanceId?}',
  methods: ['POST'],
  handler: async (request, client) => {
    const text = await request.text();
    const instanceId = await client.startNew(request.params.orchestratorName, {
      input: text ? JSON.parse(text) : undefined,
      instanceId: request.params.instanceId,
    });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

df.app.client.http('CounterApi', {
  route: 'counter/{key}',
  methods: ['GET', 'POST'],
  handler: async (request, client) => {
    const id = new df.EntityId('Counter', request.params.key);
    if (request.method === 'POST') {
      await client.signalEntity(id, 'add', Number(request.query.get('by') ?? 1));
      return { status: 202 };
    }
    return { jsonBody: await client.readEntityState(id) };
  },
});

// A long-running job with the async HTTP API: 202 + Location twice, then 200.
const polls = new Map();
app.http('SlowJob', {
  route: 'slowjob/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const n = (polls.get(request.params.id) ?? 0) + 1;
    polls.set(request.params.id, n);
    if (n < 3) return { status: 202, headers: { location: request.url, 'retry-after': '1' } };
    return { status: 200, jsonBody: { done: true, polls: n } };
  },
});
