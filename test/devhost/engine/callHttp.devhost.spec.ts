import { assert, expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createTestHost, type TestHost } from '@saga/devhost/testkit';
import { EventType } from '@saga/devhost/engine';

const APP = path.join(__dirname, '../apps/engine-sample/index.ts');

describe('durable engine: callHttp and its 202 polling, as the extension runs them', () => {
  let host: TestHost;
  let server: http.Server;
  let url: string;
  const requests: string[] = [];

  before(async () => {
    // A job API: POST answers 202 with Location and Retry-After; the status answers 202 once more, then 200.
    let polls = 0;
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.method === 'POST') return void res.writeHead(202, { Location: '/jobs/1', 'Retry-After': '5' }).end();
      polls++;
      if (polls < 2) return void res.writeHead(202, { Location: '/jobs/1', 'Retry-After': '7' }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jobs`;
    host = await createTestHost({ app: APP });
  });
  after(async () => {
    await host?.close();
    server?.close();
  });

  it('polls the Location after Retry-After on durable timers at hidden ids, and later ids line up with the SDK', async () => {
    const r = await host.run('HttpPoller', url);
    expect(r.status).to.equal('Completed');
    expect(r.output).to.deep.equal({ statusCode: 200, content: '{"done":true}', echoed: 200 });
    expect(requests).to.deep.equal(['POST /jobs', 'GET /jobs/1', 'GET /jobs/1']);
    const scheduling = r.history.filter(
      (e) => e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated,
    );
    expect(scheduling.map((e) => [e.EventId, e.EventType === EventType.TimerCreated ? 'timer' : e.Name])).to.deep.equal(
      [
        [0, 'BuiltIn::HttpActivity'],
        [1, 'timer'],
        [2, 'BuiltIn::HttpActivity'],
        [3, 'timer'],
        [4, 'BuiltIn::HttpActivity'],
        [5, 'Echo'],
      ],
    );
    const timers = r.history.filter((e) => e.EventType === EventType.TimerCreated);
    const [first] = r.history;
    assert.exists(first, 'the history has events');
    const started = Date.parse(first.Timestamp);
    expect(timers.map((t) => Date.parse(String(t.FireAt)) - started)).to.deep.equal([5000, 12_000]);
  });
});
