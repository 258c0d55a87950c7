import path from 'node:path';
import { expect } from 'chai';
import { localSettings, startLocalStack, subscriptionsFilePath, type LocalStack } from '../../localdev/demo/localStack';
import { startProcessHost, type ProcessHost, type CollectedSpan } from '@saga/devhost';
import { startSubscriberHost } from '../../localdev/demo/subscriberHost';
import { readSubscriptionsFile } from '@saga/devhost/localstack';

/**
 * One request, one trace: the caller's traceparent on POST /api/requests is the root of every span the
 * app makes for that request (HTTP server → start → each orchestration execution → each activity →
 * Cosmos, Table, external service, Event Grid), each CloudEvent the topic received carries the
 * traceparent of the send span that published it, and the subscriber app (its own process, delivered to
 * by the local topic) handles each event in a span that is a child of that send. Spans reach each
 * devhost over OTLP/HTTP; the test reads both hosts' receivers.
 */
describe('one trace per request (devhost OTLP receiver + real local servers)', function () {
  this.timeout(180_000);
  let stack: LocalStack;
  let host: ProcessHost;
  let subscriber: ProcessHost;

  before(async () => {
    stack = await startLocalStack({ subscriptions: readSubscriptionsFile(subscriptionsFilePath()) });
    const settings = localSettings(stack, { DISCOVERY_SCHEDULE: '0 0 0 1 1 *' });
    host = await startProcessHost({
      appDir: path.join(__dirname, '..', '..'),
      storage: stack.azurite.connectionString,
      env: { ...settings, DEVHOST_QUIET: '1' },
    });
    subscriber = await startSubscriberHost(stack, { workflowUrl: host.url });
  });
  after(async () => {
    await subscriber?.stop();
    await host?.stop();
    await stack?.stop();
  });

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpan = '00f067aa0ba902b7';

  /** The trace as both processes' receivers hold it: the workflow host's and the subscriber host's. */
  async function spansOf(id: string): Promise<CollectedSpan[]> {
    const read = async (origin: string) =>
      ((await (await fetch(`${origin}/_devhost/traces/${id}`)).json()) as { spans: CollectedSpan[] }).spans;
    return [...(await read(host.url)), ...(await read(subscriber.url))];
  }

  it('links the HTTP call, the orchestration executions, every activity, the stores, the external service and the published CloudEvents', async () => {
    const id = 'traced-1';
    const res = await fetch(`${host.url}/api/requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
        tracestate: 'caller=t61rcWkgMzE',
      },
      body: JSON.stringify({ id, payload: { scenario: 'pass' }, start: true }),
    });
    expect(res.status).to.equal(202);

    // Wait until the workflow completed and its last span (the final execution) arrived.
    let spans: CollectedSpan[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      spans = await spansOf(traceId);
      const done =
        spans.some((s) => s.name === 'activity:completeRequest') &&
        spans.filter((s) => s.name === 'orchestration:requestWorkflow').length >= 2 &&
        spans.some((s) => s.name === 'orchestration:requestWorkflow' && s.attributes['workflow.phase'] === 'poll') &&
        spans.filter((s) => s.name === 'process subscriber').length >= 6;
      if (done) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: CollectedSpan): CollectedSpan | undefined =>
      s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    const chain = (s: CollectedSpan): string[] => {
      const names = [s.name];
      for (let p = parentOf(s); p; p = parentOf(p)) names.push(p.name);
      return names.reverse();
    };

    const server = spans.find((s) => s.name === 'POST /api/requests');
    expect(server, `spans seen: ${spans.map((s) => s.name).join(', ')}`).to.not.equal(undefined);
    expect(server!.parentSpanId, "the caller is the HTTP span's parent").to.equal(callerSpan);
    expect(server!.attributes).to.include({ 'http.request.method': 'POST', 'http.response.status_code': 202 });

    // Every span of the request hangs off the HTTP call.
    for (const s of spans) expect(chain(s)[0], `${s.name} is rooted at the HTTP call`).to.equal('POST /api/requests');

    const executions = spans.filter((s) => s.name === 'orchestration:requestWorkflow');
    for (const e of executions)
      expect(chain(e)).to.deep.equal([
        'POST /api/requests',
        'create_orchestration:requestWorkflow',
        'orchestration:requestWorkflow',
      ]);
    expect(executions.length, 'first execution (admit..submit) and the poll execution').to.be.at.least(2);

    const activities = spans.filter((s) => s.name.startsWith('activity:'));
    for (const a of activities)
      expect(parentOf(a)?.name, `${a.name}'s parent`).to.equal('orchestration:requestWorkflow');
    expect(activities.map((a) => a.name)).to.include.members([
      'activity:admitRequest',
      'activity:prepareSubmission',
      'activity:submitJob',
      'activity:pollJob',
      'activity:completeRequest',
    ]);

    const append = spans.find(
      (s) => s.name === 'appendToStream events' && parentOf(s)?.name === 'activity:admitRequest',
    );
    expect(append?.kind, 'Cosmos append is a client span').to.equal(3);
    expect(append?.attributes).to.include({
      'db.system.name': 'azure.cosmosdb',
      'db.collection.name': 'events',
      'db.operation.name': 'appendToStream',
    });
    const tableWrite = spans.find((s) => s.name === 'add intake');
    expect(parentOf(tableWrite!)?.name).to.equal('POST /api/requests');
    expect(tableWrite?.attributes).to.include({ 'db.system.name': 'azure.tables' });
    const external = spans.find((s) => s.name === 'POST /jobs');
    expect(parentOf(external!)?.name).to.equal('activity:submitJob');
    expect(external?.attributes).to.include({ 'http.request.method': 'POST', 'http.response.status_code': 201 });

    if (process.env.PRINT_TRACE) printTree(spans);
    // Out through the CloudEvents: each one's traceparent names a send span of this trace.
    const sends = spans.filter((s) => s.name === 'send local-topic');
    expect(sends.length).to.be.greaterThan(0);
    for (const send of sends) expect(send.kind, 'producer').to.equal(4);
    const events = stack.topic.events().filter((e) => e.subject === `requests/${id}`);
    expect(events.length).to.be.at.least(6);
    for (const e of events) {
      const [, t, parent] = String(e.traceparent).split('-');
      expect(t, `${e.type} is in the request's trace`).to.equal(traceId);
      expect(byId.get(parent ?? '')?.name, `${e.type}'s traceparent is a send span`).to.equal('send local-topic');
      expect(e.tracestate, "the caller's tracestate travels along").to.equal('caller=t61rcWkgMzE');
    }

    // Into the subscriber: one CONSUMER span per delivered event, a child of the send that published it.
    const consumed = spans.filter((s) => s.name === 'process subscriber');
    for (const c of consumed) {
      expect(c.kind, 'consumer').to.equal(5);
      expect(c.service).to.equal('workflow-subscriber');
      expect(chain(c).slice(0, 4)).to.deep.equal([
        'POST /api/requests',
        'create_orchestration:requestWorkflow',
        'orchestration:requestWorkflow',
        chain(c)[3],
      ]);
      expect(chain(c).slice(-2)).to.deep.equal(['send local-topic', 'process subscriber']);
    }
    expect(new Set(consumed.map((c) => c.attributes['cloudevents.event_id']))).to.deep.equal(
      new Set(events.map((e) => e.id)),
    );
  });
});

/** `PRINT_TRACE=1`: the span tree (identical sibling subtrees folded into one line with ×n) and counts by name. */
function printTree(spans: CollectedSpan[]): void {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, CollectedSpan[]>();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : 'root';
    children.set(
      key,
      [...(children.get(key) ?? []), s].sort((a, b) => a.startMs - b.startMs),
    );
  }
  const render = (s: CollectedSpan, depth: number): string[] => [
    `${'  '.repeat(depth)}${s.name}`,
    ...fold((children.get(s.spanId) ?? []).map((c) => render(c, depth + 1))),
  ];
  const fold = (subtrees: string[][]): string[] => {
    const out: { lines: string[]; n: number }[] = [];
    for (const t of subtrees) {
      const last = out[out.length - 1];
      if (last && last.lines.join('\n') === t.join('\n')) last.n++;
      else out.push({ lines: t, n: 1 });
    }
    return out.flatMap(({ lines, n }) => (n > 1 ? [`${lines[0]} ×${n}`, ...lines.slice(1)] : lines));
  };
  console.log(fold((children.get('root') ?? []).map((r) => render(r, 0))).join('\n'));
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  console.log(`${spans.length} spans:`, Object.fromEntries(counts));
}
