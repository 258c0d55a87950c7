import { expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { createLocalIssuer, startMockService, type LocalIssuer, type MockService } from '../../../mock';
import { HttpExternalJobs } from '../../../src/infrastructure/external';
import { ConfigurationError, NonRetriableError, TransientError } from '../../../src/application/errors';
import type { ExternalJobStatus } from '../../../src/domain/status';
import type { Submission } from '../../../src/domain/events';

use(chaiAsPromised);

const submission = (scenario: string, attempt = 1, requestId = `req-${scenario}-${attempt}`): Submission => ({
  requestId,
  attempt,
  payload: { scenario },
});

async function pollUntilTerminal(client: HttpExternalJobs, id: string, maxPolls = 20): Promise<ExternalJobStatus[]> {
  const seen: ExternalJobStatus[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const job = await client.get(id);
    seen.push(job.status);
    if (job.status === 'Pass' || job.status === 'Fail' || job.status === 'FailCanRetry') break;
  }
  return seen;
}

describe('HttpExternalJobs against the mock service (auth off)', () => {
  let service: MockService;
  let client: HttpExternalJobs;

  before(async () => {
    service = await startMockService({ auth: 'off' });
    client = new HttpExternalJobs({ baseUrl: service.url, timeoutMs: 2000 });
  });
  after(async () => {
    await service.stop();
  });

  it('creates a job once per idempotency key', async () => {
    const first = await client.create(submission('pass', 1, 'req-idem'), 'req-idem:1');
    const again = await client.create(submission('pass', 1, 'req-idem'), 'req-idem:1');
    const other = await client.create(submission('pass', 2, 'req-idem'), 'req-idem:2');

    expect(first.status).to.equal('Created');
    expect(again.id).to.equal(first.id);
    expect(other.id).not.to.equal(first.id);
    expect(service.jobs().filter((j) => j.requestId === 'req-idem')).to.have.length(2);
  });

  const expected: [string, number, ExternalJobStatus[]][] = [
    ['pass', 1, ['Inprogress', 'Pass']],
    ['fail', 1, ['Inprogress', 'Fail']],
    ['failcanretry', 1, ['Inprogress', 'FailCanRetry']],
    ['failcanretry', 2, ['Inprogress', 'FailCanRetry']],
    ['failcanretry-then-pass', 1, ['Inprogress', 'FailCanRetry']],
    ['failcanretry-then-pass', 2, ['Inprogress', 'Pass']],
    ['slow-pass', 1, ['Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Inprogress', 'Pass']],
  ];
  for (const [scenario, attempt, statuses] of expected) {
    it(`moves a '${scenario}' job (attempt ${attempt}) through ${statuses.join(' → ')}`, async () => {
      const job = await client.create(submission(scenario, attempt), `${scenario}:${attempt}`);
      expect(await pollUntilTerminal(client, job.id)).to.deep.equal(statuses);
    });
  }

  it("keeps a 'never' job in progress", async () => {
    const job = await client.create(submission('never'), 'never:1');
    const seen = await pollUntilTerminal(client, job.id, 10);
    expect(seen).to.deep.equal(Array(10).fill('Inprogress'));
  });

  it('cancels a running job, and a second cancel changes nothing', async () => {
    const job = await client.create(submission('never', 1, 'req-cancel'), 'req-cancel:1');
    await client.get(job.id);
    const cancelled = await client.cancel(job.id);
    const again = await client.cancel(job.id);

    expect(cancelled).to.deep.equal({ id: job.id, status: 'Fail' });
    expect(again).to.deep.equal(cancelled);
    expect(service.job(job.id)!.cancelledAt).to.be.a('string');
  });

  it('reports an unknown job as a non-retriable error', async () => {
    await expect(client.get('job-does-not-exist')).to.be.rejectedWith(NonRetriableError, /404/);
  });

  it('reports invalid input as a non-retriable error naming the field', async () => {
    await expect(client.create(submission('explode'), 'bad:1')).to.be.rejectedWith(
      NonRetriableError,
      /400.*payload\.scenario/,
    );
  });

  it('reports 5xx and throttling as transient errors', async () => {
    service.failNext(1, 503);
    const error = await client.get('anything').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransientError);
    expect((error as TransientError).retriable).to.equal(true);
    service.failNext(1, 429);
    await expect(client.create(submission('pass', 1, 'req-429'), 'req-429:1')).to.be.rejectedWith(
      TransientError,
      /429/,
    );
    // The refused create did not create anything; the retry creates the job.
    expect(service.jobs().filter((j) => j.requestId === 'req-429')).to.have.length(0);
    expect((await client.create(submission('pass', 1, 'req-429'), 'req-429:1')).status).to.equal('Created');
  });

  it('reports a timeout as a transient error', async () => {
    const impatient = new HttpExternalJobs({ baseUrl: service.url, timeoutMs: 50 });
    service.setFaults({ latencyMs: 500 });
    try {
      await expect(impatient.get('anything')).to.be.rejectedWith(TransientError, /timed out after 50 ms/);
    } finally {
      service.setFaults({});
    }
  });

  it('reports an unreachable service as a transient error', async () => {
    const gone = await startMockService({ auth: 'off' });
    await gone.stop();
    await expect(new HttpExternalJobs({ baseUrl: gone.url }).get('x')).to.be.rejectedWith(
      TransientError,
      /network error/,
    );
  });
});

describe('HttpExternalJobs response validation', () => {
  it('rejects a job with an unknown status', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1', status: 'Done' })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      await expect(new HttpExternalJobs({ baseUrl: `http://127.0.0.1:${port}` }).get('j1')).to.be.rejectedWith(
        NonRetriableError,
        /unknown job 'status' "Done"/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses plain http to a non-loopback host', () => {
    expect(() => new HttpExternalJobs({ baseUrl: 'http://jobs.example.com' })).to.throw(
      ConfigurationError,
      /EXTERNAL_SERVICE_URL must be https/,
    );
  });
});

describe('HttpExternalJobs with bearer tokens', () => {
  const audience = 'api://external-jobs';
  let issuer: LocalIssuer;
  let service: MockService;

  const staticToken = (token: string) => ({
    getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60_000 }),
  });

  before(async () => {
    issuer = await createLocalIssuer();
    service = await startMockService({ auth: { issuer: issuer.issuer, audience, jwksUrl: issuer.jwksUrl } });
  });
  after(async () => {
    await service.stop();
    await issuer.stop();
  });

  it('is refused (401, problem+json) without a token', async () => {
    await expect(
      new HttpExternalJobs({ baseUrl: service.url }).create(submission('pass'), 'noauth:1'),
    ).to.be.rejectedWith(NonRetriableError, /401.*missing bearer token/);
    const res = await fetch(`${service.url}/jobs/x`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(service.jobs()).to.have.length(0);
  });

  it('works with a token minted for the configured audience', async () => {
    const client = new HttpExternalJobs({ baseUrl: service.url, audience, credential: issuer.credential() });
    const job = await client.create(submission('pass', 1, 'req-auth'), 'req-auth:1');
    expect(await pollUntilTerminal(client, job.id)).to.deep.equal(['Inprogress', 'Pass']);
  });

  it('rejects an expired token', async () => {
    const token = await issuer.mint({ aud: audience, expiresIn: -120 });
    const client = new HttpExternalJobs({ baseUrl: service.url, audience, credential: staticToken(token) });
    await expect(client.get('x')).to.be.rejectedWith(NonRetriableError, /401.*ERR_JWT_EXPIRED/);
  });

  it('rejects a token for another audience', async () => {
    const token = await issuer.mint({ aud: 'api://someone-else' });
    const client = new HttpExternalJobs({ baseUrl: service.url, audience, credential: staticToken(token) });
    await expect(client.get('x')).to.be.rejectedWith(NonRetriableError, /401.*aud/);
  });

  it('rejects a token from another issuer key', async () => {
    const stranger = await createLocalIssuer();
    try {
      const token = await stranger.mint({ aud: audience, issuer: issuer.issuer });
      const client = new HttpExternalJobs({ baseUrl: service.url, audience, credential: staticToken(token) });
      await expect(client.get('x')).to.be.rejectedWith(NonRetriableError, /401/);
    } finally {
      await stranger.stop();
    }
  });
});
