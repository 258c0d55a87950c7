import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalIssuer, startMockService, type MockJob, type MockService } from '../../../mock';

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('mock external service', () => {
  describe('the HTTP contract', () => {
    let service: MockService;
    before(async () => {
      service = await startMockService({ auth: 'off' });
    });
    after(async () => {
      await service.stop();
    });

    it('answers 201 for a new job, 200 with the same job for a repeated key', async () => {
      const body = { requestId: 'r-201', attempt: 1, payload: { scenario: 'pass' } };
      const first = await post(`${service.url}/jobs`, body, { 'idempotency-key': 'k-201' });
      const second = await post(`${service.url}/jobs`, body, { 'idempotency-key': 'k-201' });
      expect([first.status, second.status]).to.deep.equal([201, 200]);
      const [a, b] = [(await first.json()) as MockJob, (await second.json()) as MockJob];
      expect(b.id).to.equal(a.id);
      expect(first.headers.get('location')).to.equal(`/jobs/${a.id}`);
      expect(a).to.include({ requestId: 'r-201', attempt: 1, status: 'Created', scenario: 'pass' });
    });

    it('answers 409 when a key is reused for a different submission', async () => {
      await post(
        `${service.url}/jobs`,
        { requestId: 'r-409', attempt: 1, payload: {} },
        { 'idempotency-key': 'k-409' },
      );
      const res = await post(
        `${service.url}/jobs`,
        { requestId: 'r-409', attempt: 2, payload: {} },
        { 'idempotency-key': 'k-409' },
      );
      expect(res.status).to.equal(409);
    });

    it('answers 400 problem+json naming each bad field', async () => {
      const noKey = await post(`${service.url}/jobs`, { requestId: 'r', attempt: 1, payload: {} });
      expect(noKey.status).to.equal(400);
      expect(noKey.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(((await noKey.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).to.deep.equal([
        'Idempotency-Key',
      ]);

      const bad = await post(
        `${service.url}/jobs`,
        { requestId: '', attempt: 0, payload: { scenario: 'nope' } },
        { 'idempotency-key': 'k-bad' },
      );
      expect(bad.status).to.equal(400);
      const problem = (await bad.json()) as { status: number; errors: { field: string }[] };
      expect(problem.status).to.equal(400);
      expect(problem.errors.map((e) => e.field)).to.deep.equal(['requestId', 'attempt', 'payload.scenario']);

      const notJson = await fetch(`${service.url}/jobs`, {
        method: 'POST',
        headers: { 'idempotency-key': 'k-nj' },
        body: '{',
      });
      expect(notJson.status).to.equal(400);
    });

    it('records every status change with its time, including when the job turned terminal', async () => {
      const res = await post(
        `${service.url}/jobs`,
        { requestId: 'r-hist', attempt: 1, payload: { scenario: 'fail' } },
        { 'idempotency-key': 'k-hist' },
      );
      const { id } = (await res.json()) as MockJob;
      await fetch(`${service.url}/jobs/${id}`);
      await fetch(`${service.url}/jobs/${id}`);
      const job = service.job(id)!;
      expect(job.history.map((h) => h.status)).to.deep.equal(['Created', 'Inprogress', 'Fail']);
      expect(job.terminalAt).to.equal(job.history[2]!.at);
      expect(job.polls).to.equal(2);
    });
  });

  it('progresses by elapsed time, stamping the time each step was due', async () => {
    const service = await startMockService({ auth: 'off', progression: { msPerStep: 40 } });
    try {
      const created = (await (
        await post(`${service.url}/jobs`, { requestId: 'r-t', attempt: 1, payload: {} }, { 'idempotency-key': 'k-t' })
      ).json()) as MockJob;
      await sleep(120);
      const job = (await (await fetch(`${service.url}/jobs/${created.id}`)).json()) as MockJob;
      expect(job.status).to.equal('Pass');
      expect(Date.parse(job.terminalAt!) - Date.parse(job.createdAt)).to.equal(80);
      expect(job.history.map((h) => h.status)).to.deep.equal(['Created', 'Inprogress', 'Pass']);
    } finally {
      await service.stop();
    }
  });

  it('fails the same requests for the same seed', async () => {
    const pattern = async (): Promise<number[]> => {
      const service = await startMockService({ auth: 'off', faults: { errorRate: 0.5, seed: 42 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await fetch(`${service.url}/jobs/none`)).status);
        return statuses;
      } finally {
        await service.stop();
      }
    };
    const first = await pattern();
    expect(first).to.include(503).and.to.include(404);
    expect(await pattern()).to.deep.equal(first);
  });

  it('checks tokens against a given public key too', async () => {
    const issuer = await createLocalIssuer();
    const service = await startMockService({
      auth: { issuer: issuer.issuer, audience: 'api://x', publicKey: issuer.publicJwk },
    });
    try {
      const ok = await fetch(`${service.url}/jobs/none`, {
        headers: { authorization: `Bearer ${await issuer.mint({ aud: 'api://x' })}` },
      });
      expect(ok.status).to.equal(404);
      const wrong = await fetch(`${service.url}/jobs/none`, { headers: { authorization: 'Bearer not.a.jwt' } });
      expect(wrong.status).to.equal(401);
    } finally {
      await service.stop();
      await issuer.stop();
    }
  });

  it('runs as its own process from the CLI', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'mock/cli.ts', '--port', '0', '--auth', 'off'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { url } = JSON.parse(line.toString()) as { url: string };
      expect((await fetch(`${url}/health`)).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses to start the CLI without an explicit auth choice', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'mock/cli.ts', '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(2);
    expect(stderr).to.contain('--auth off');
  });
});
