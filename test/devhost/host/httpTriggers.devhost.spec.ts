import * as chai from 'chai';
import { startSampleHost, type SampleHost } from './sampleHost';

const { expect } = chai;

describe('devhost HTTP triggers (host-sample app)', () => {
  let s: SampleHost;
  let base: string;

  before(async () => {
    s = await startSampleHost();
    base = `${s.host.url}/api`;
  });
  after(async () => {
    await s?.host.stop();
  });

  it('loads settings, host.json and the CommonJS and ESM entries of a glob "main"', () => {
    expect(s.host.app.entryFiles.map((f) => f.split('/').pop())).to.deep.equal([
      'durable.js',
      'eventgrid.js',
      'http.js',
      'timers.mjs',
    ]);
    expect(s.host.app.config.taskHubName).to.equal('HostSampleHub');
    expect(s.host.functions.map((f) => f.name)).to.include.members([
      'Echo',
      'Approval',
      'Stamp',
      'Tick',
      'SlowTick',
      'ClientOps',
    ]);
  });

  it('warns about trigger types it cannot run', () => {
    expect(s.host.app.warnings.join('\n')).to.match(/QueueWork \(queueTrigger\)/);
  });

  it('warns about bindings it does not read or write, naming what Azure would do', () => {
    const warning = s.host.app.warnings.find((w) => w.includes('does not model these bindings'));
    expect(warning).to.include('Enqueue (queue out)');
    expect(warning).to.include('writes what the function sets in context.extraOutputs');
  });

  it('prints the function list like func start', () => {
    expect(s.host.listing).to.match(/^Functions:\n\n/);
    expect(s.host.listing).to.include(`\tEcho: [GET,POST,PUT] ${s.host.url}/api/echo/{id:int}/{name?}\n`);
    expect(s.host.listing).to.include('\tTick: timerTrigger\n');
    expect(s.host.listing).to.include('\tCounter: entityTrigger\n');
    expect(s.host.listing).to.include('\tQueueWork: queueTrigger (not supported by the devhost)\n');
  });

  it('passes route params, query, headers and a JSON body, and returns status, headers and cookies', async () => {
    const res = await fetch(`${base}/echo/7/ann?status=201&tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'hello' },
      body: JSON.stringify({ n: 1, text: 'ü' }),
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('x-echo')).to.equal('yes');
    expect(res.headers.get('x-request-header')).to.equal('hello');
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.headers.getSetCookie()).to.deep.equal(['a=1; Path=/; HttpOnly', 'b=2; SameSite=Strict']);
    expect(await res.json()).to.deep.equal({
      method: 'POST',
      params: { id: '7', name: 'ann' },
      query: { status: '201', tag: 'a,b' },
      body: { n: 1, text: 'ü' },
      greeting: 'from local.settings.json',
    });
  });

  it('leaves an optional parameter out and honours the int constraint', async () => {
    const res = await fetch(`${base}/echo/8`);
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { params: unknown }).params).to.deep.equal({ id: '8' });
    expect((await fetch(`${base}/echo/abc`)).status).to.equal(404);
  });

  it('answers 404 for a method the function does not accept and for unknown routes', async () => {
    expect((await fetch(`${base}/echo/1`, { method: 'DELETE' })).status).to.equal(404);
    expect((await fetch(`${base}/nothing/here`)).status).to.equal(404);
    expect((await fetch(`${s.host.url}/elsewhere`)).status).to.equal(404);
  });

  it('prefers a literal route over a catch-all and fills the catch-all', async () => {
    expect(await (await fetch(`${base}/items/special`)).text()).to.equal('special');
    expect(await (await fetch(`${base}/items/a/b/c`)).json()).to.deep.equal({ rest: 'a/b/c' });
  });

  it('round-trips binary bodies byte for byte', async () => {
    const res = await fetch(`${base}/binary`, { method: 'POST', body: new Uint8Array([0, 255, 1, 128]) });
    expect(res.headers.get('content-type')).to.equal('application/octet-stream');
    expect([...new Uint8Array(await res.arrayBuffer())]).to.deep.equal([128, 1, 255, 0]);
  });

  it('turns a throwing handler into a 500, logs it, and keeps serving', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).to.equal(500);
    expect(s.logs.some((l) => l.level === 'error' && l.message.includes('boom on purpose'))).to.equal(true);
    expect((await fetch(`${base}/echo/1`)).status).to.equal(200);
  });

  it('accepts and ignores keys by default, like func start', async () => {
    const res = await fetch(`${base}/secret`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal('secret ok');
  });
});

describe('devhost HTTP body limit', () => {
  let s: SampleHost;
  before(async () => {
    s = await startSampleHost({ maxBodyBytes: 1024 });
  });
  after(async () => {
    await s?.host.stop();
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await fetch(`${s.host.url}/api/echo/1`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(res.status).to.equal(413);
  });
});
