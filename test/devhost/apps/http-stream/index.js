const { app } = require('@azure/functions');

app.setup({ enableHttpStream: true });

app.http('Hello', { methods: ['GET'], authLevel: 'anonymous', handler: async () => ({ body: 'hello' }) });
