const { app } = require('@azure/functions');

// Event Grid trigger (CloudEvents schema): records what it received; `data.fail` makes it throw.
globalThis.hostSampleGridEvents = [];

app.eventGrid('GridEvents', {
  handler: async (event, context) => {
    if (event.data && event.data.fail) throw new Error(`cannot handle ${event.id}`);
    globalThis.hostSampleGridEvents.push({
      id: event.id,
      type: event.type,
      subject: event.subject,
      functionName: context.functionName,
    });
  },
});
