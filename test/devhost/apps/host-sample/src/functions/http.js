const { app } = require('@azure/functions');

app.http('Echo', {
  route: 'echo/{id:int}/{name?}',
  methods: ['GET', 'POST', 'PUT'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const text = await request.text();
    let body = text;
    if ((request.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    const status = request.query.get('status');
    return {
      status: status ? Number(status) : 200,
      headers: { 'x-echo': 'yes', 'x-request-header': request.headers.get('x-test') ?? '' },
      cookies: [
        { name: 'a', value: '1', path: '/', httpOnly: true },
        { name: 'b', value: '2', sameSite: 'Strict' },
      ],
      jsonBody: {
        method: request.method,
        params: request.params,
        query: Object.fromEntries(request.query.entries()),
        body,
        greeting: process.env.HOST_SAMPLE_GREETING,
      },
    };
  },
});

app.http('ItemsCatchAll', {
  route: 'items/{*rest}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => ({ jsonBody: { rest: request.params.rest ?? null } }),
});

app.http('ItemsSpecial', {
  route: 'items/special',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => ({ body: 'special' }),
});

app.http('Boom', {
  route: 'boom',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => {
    throw new Error('boom on purpose');
  },
});

app.http('Secret', {
  route: 'secret',
  methods: ['GET'],
  authLevel: 'function',
  handler: async () => ({ body: 'secret ok' }),
});

app.http('Binary', {
  route: 'binary',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const bytes = Buffer.from(await request.arrayBuffer());
    return { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(bytes.reverse()) };
  },
});

// Unsupported on purpose: the host must warn about it.
app.storageQueue('QueueWork', { queueName: 'work', connection: 'AzureWebJobsStorage', handler: () => undefined });

// An output binding the devhost does not write: the host must warn about it.
const { output } = require('@azure/functions');
const queueOut = output.storageQueue({ queueName: 'outbox', connection: 'AzureWebJobsStorage' });
app.http('Enqueue', {
  route: 'enqueue',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraOutputs: [queueOut],
  handler: async (request, context) => {
    context.extraOutputs.set(queueOut, await request.text());
    return { status: 202 };
  },
});
