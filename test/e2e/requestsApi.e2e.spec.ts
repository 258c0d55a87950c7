import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { expect } from 'chai';
import { localSettings, startLocalStack, type LocalStack } from '../../localdev/demo/localStack';
import { startProcessHost, type ProcessHost } from '@saga/devhost';

/**
 * What an operator does through the HTTP APIs, against the devhost and the real local servers: add a
 * work item, see it waiting, start it, watch it, cancel it, read its events and list it; and recover a
 * workflow that was terminated mid-run.
 */
describe('request API journeys (devhost + real local servers)', function () {
  this.timeout(180_000);
  let stack: LocalStack;
  let host: ProcessHost;

  before(async () => {
    stack = await startLocalStack();
    // No timer runs: discovery happens when a test asks for it. Stale claims after 1 s, so a
    // terminated workflow's row is claimable again at once.
    const settings = localSettings(stack, {
      DISCOVERY_SCHEDULE: '0 0 0 1 1 *',
      DISCOVERY_STALE_CLAIM_SECONDS: '1',
      WORKFLOW_DEADLINE_SECONDS: '120',
    });
    // Its own process: the app keeps its clients for the life of a process, and other specs host it too.
    host = await startProcessHost({
      appDir: path.join(__dirname, '..', '..'),
      storage: stack.azurite.connectionString,
      env: { ...settings, DEVHOST_QUIET: '1' },
    });
  });
  after(async () => {
    await host?.stop();
    await stack?.stop();
  });

  type Body = Record<string, unknown> & {
    intake?: { status: string; claimedAt?: string; claimCheckAt?: string } | null;
    view?: { stage: string; outcome?: string; version: number } | null;
    orchestration?: {
      runtimeStatus: string;
      customStatus: { stage?: string } | null;
      output: { outcome?: string } | null;
    } | null;
  };
  async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: Body }> {
    const res = await fetch(`${host.url}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  }
  async function until(id: string, what: string, ok: (b: Body) => boolean, ms = 60_000): Promise<Body> {
    const end = Date.now() + ms;
    let last: Body = {};
    while (Date.now() < end) {
      const r = await call('GET', `/api/requests/${id}`);
      if (r.status === 200 && ok(r.body)) return r.body;
      last = r.body;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`${id}: ${what} did not happen; last seen ${JSON.stringify(last)}`);
  }
  const eventTypes = async (id: string): Promise<string[]> =>
    ((await call('GET', `/api/requests/${id}/events?top=1000`)).body.events as { type: string }[]).map((e) => e.type);

  it('adds a work item that waits for discovery, then runs, is cancelled, and shows the same story everywhere', async () => {
    const id = 'api-journey';
    const added = await call('POST', '/api/requests', { id, payload: { scenario: 'never' } });
    expect(added.status).to.equal(202);
    expect(added.body).to.include({ id, started: false });

    const waiting = await call('GET', `/api/requests/${id}`);
    expect(waiting.status, 'a work item not yet discovered is found, not 404').to.equal(200);
    expect(waiting.body).to.deep.include({ view: null, orchestration: null });
    expect(waiting.body.intake).to.include({ status: 'Unprocessed' });

    const discovered = await call('POST', '/api/discover');
    expect(discovered.body.started).to.deep.equal([id]);
    const polling = await until(id, 'polling', (b) => b.orchestration?.customStatus?.stage === 'polling');
    expect(polling.intake).to.include({ status: 'Claimed' });
    const { claimedAt, claimCheckAt } = polling.intake as { claimedAt: string; claimCheckAt: string };
    expect(Date.parse(claimCheckAt) - Date.parse(claimedAt), 'first claim check one stale-claim period on').to.equal(
      1000,
    );

    const cancel = await call('POST', `/api/requests/${id}/cancel`, { reason: 'operator says stop' });
    expect(cancel.status).to.equal(202);
    const done = await until(id, 'completion', (b) => b.orchestration?.runtimeStatus === 'Completed');
    expect(done.view).to.include({ stage: 'Completed', outcome: 'Cancelled' });
    expect(done.intake).to.include({ status: 'Cancelled' });
    expect(done.intake, 'a finished row has no claim check to show').to.not.have.property('claimCheckAt');
    expect(done.orchestration?.output).to.include({ outcome: 'Cancelled', reason: 'operator says stop' });
    const types = await eventTypes(id);
    expect(types[0]).to.equal('RequestDiscovered');
    expect(types.slice(-2)).to.deep.equal(['JobCancelled', 'RequestCompleted']);

    const listed = await call('GET', '/api/requests?status=Cancelled&top=500');
    expect((listed.body.items as { id: string }[]).map((v) => v.id)).to.include(id);
    const again = await call('POST', `/api/requests/${id}/cancel`, {});
    expect(again.status, 'cancelling a finished request').to.equal(409);
  });

  it('restarts a workflow terminated mid-run from where its events say it was, without repeating steps', async () => {
    const id = 'api-restart';
    expect(
      (await call('POST', '/api/requests', { id, payload: { scenario: 'slow-pass' }, start: true })).body,
    ).to.include({ started: true });
    await until(id, 'polling', (b) => b.orchestration?.customStatus?.stage === 'polling');
    const terminated = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}/terminate?reason=test`, {
      method: 'POST',
    });
    expect(terminated.status).to.equal(202);
    await until(id, 'termination', (b) => b.orchestration?.runtimeStatus === 'Terminated');
    const before = await eventTypes(id);

    await new Promise((res) => setTimeout(res, 1500));
    const discovered = await call('POST', '/api/discover');
    expect(discovered.body.started, 'discovery restarts the terminated workflow').to.include(id);
    const done = await until(id, 'completion', (b) => b.orchestration?.runtimeStatus === 'Completed');

    expect(done.view).to.include({ stage: 'Completed', outcome: 'Pass' });
    expect(done.intake).to.include({ status: 'Pass' });
    const after = await eventTypes(id);
    expect(after.slice(0, before.length), 'the events before the termination are kept as they were').to.deep.equal(
      before,
    );
    expect(
      after.filter((t) => t === 'RequestDiscovered'),
      'admitted once',
    ).to.have.length(1);
    expect(
      after.filter((t) => t === 'JobSubmitted'),
      'the job submitted once',
    ).to.have.length(1);
    expect(after.slice(-2)).to.deep.equal(['JobTerminal', 'RequestCompleted']);
  });
  it('serves the schema registry and the AsyncAPI contract at stable URLs, without a key', async () => {
    const index = await call('GET', '/api/schemas');
    expect(index.status).to.equal(200);
    const types = index.body.types as { type: string; schema: string }[];
    expect(types.map((t) => t.type)).to.include('workflow.request.completed.v1');
    const schema = await fetch(types.find((t) => t.type === 'workflow.request.completed.v1')!.schema);
    expect(schema.headers.get('content-type')).to.match(/^application\/schema\+json/);
    expect(((await schema.json()) as { title: string }).title).to.equal('RequestCompleted');
    const contract = await call('GET', '/api/schemas/asyncapi.json');
    expect(contract.body).to.include({ asyncapi: '3.0.0' });
    const missing = await fetch(`${host.url}/api/schemas/workflow.nope.v1.json`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/problem\+json/);
  });

  it("replays a request's events to the topic with the same CloudEvent ids, and rejects a bad selection naming the field", async () => {
    const id = 'replay-journey';
    expect((await call('POST', '/api/requests', { id, payload: { scenario: 'pass' }, start: true })).status).to.equal(
      202,
    );
    await until(id, 'completion', (b) => b.view?.stage === 'Completed');
    const stored = (
      (await call('GET', `/api/requests/${id}/events?top=1000`)).body.events as { eventId: string }[]
    ).map((e) => e.eventId);
    const before = stack.topic.events().filter((e) => e.subject === `requests/${id}`).length;
    const replay = await call('POST', '/api/events/replay', { requestId: id });
    expect(replay.status).to.equal(200);
    expect(replay.body).to.include({ streams: 1, events: stored.length, published: stored.length });
    const received = stack.topic.events().filter((e) => e.subject === `requests/${id}`);
    expect(received.length - before).to.equal(stored.length);
    expect(received.slice(before).map((e) => e.id)).to.have.members(stored);
    // A time range covering the run, through the CLI: every event of the request again, same ids.
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    // Asynchronously: the Cosmos emulator runs in this process and must keep serving the app meanwhile.
    const cli = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/replay.ts', '--from', from, '--to', to, '--url', host.url],
      { encoding: 'utf8' },
    );
    expect(cli.stdout).to.match(/^200 /);
    const afterRange = stack.topic
      .events()
      .filter((e) => e.subject === `requests/${id}`)
      .slice(before + stored.length);
    expect(afterRange.map((e) => e.id)).to.have.members(stored);
    const bad = await call('POST', '/api/events/replay', { from: 'yesterday', to: '2030-01-01T00:00:00Z' });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('from');
  });
});
