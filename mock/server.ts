/**
 * The external job service, mocked: a standalone Node HTTP server that tests and the devhost
 * embed (or run through cli.ts). Routes: POST /jobs (idempotent by the Idempotency-Key header),
 * GET /jobs/{id} (a poll: advances the job), POST /jobs/{id}/cancel, GET /health (no auth).
 * Errors are application/problem+json.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearerCheck, Unauthorized, type AuthOptions } from './auth';
import { Faults, type FaultOptions } from './faults';
import { IdempotencyConflict, JobBook, UnknownJob, type MockJob, type Progression } from './jobBook';
import { parseSubmission } from './submission';

export interface MockServiceOptions {
  port?: number;
  host?: string;
  /** Required on purpose: switching token checks off is an explicit, local-only choice. */
  auth: AuthOptions;
  /** Default: one step per poll. */
  progression?: Progression;
  faults?: FaultOptions;
}

export interface MockServiceStats {
  requests: number;
  created: number;
  polls: number;
  cancels: number;
  /** Requests answered with an injected fault. */
  faulted: number;
  unauthorized: number;
}

export interface MockService {
  /** Base URL, e.g. http://127.0.0.1:port */
  url: string;
  jobs(): MockJob[];
  /** A job as it stands, without counting a poll. */
  job(id: string): MockJob | undefined;
  failNext(n: number, status?: number): void;
  /** Ends the retention of every Idempotency-Key seen so far (as a real service does after a while). */
  forgetIdempotencyKeys(): void;
  setFaults(faults: FaultOptions): void;
  stats(): MockServiceStats;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: { field: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export async function startMockService(opts: MockServiceOptions): Promise<MockService> {
  const host = opts.host ?? '127.0.0.1';
  const progression = opts.progression ?? { pollsPerStep: 1 };
  validateProgression(progression);
  const book = new JobBook(progression);
  const faults = new Faults(opts.faults);
  const checkBearer = await bearerCheck(opts.auth);
  const stats: MockServiceStats = { requests: 0, created: 0, polls: 0, cancels: 0, faulted: 0, unauthorized: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
    stats.requests += 1;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const fault = faults.draw();
    if (fault !== undefined) {
      stats.faulted += 1;
      throw new Problem(fault, 'Injected fault', `the mock was told to fail this request with ${fault}`);
    }
    try {
      await checkBearer(header(req, 'authorization'));
    } catch (e) {
      if (!(e instanceof Unauthorized)) throw e;
      stats.unauthorized += 1;
      throw new Problem(401, 'Unauthorized', e.message, undefined, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }

    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'jobs') throw new Problem(404, 'Not Found', `no route ${req.method} ${url.pathname}`);
    if (parts.length === 1 && req.method === 'POST') return createJob(req, res, body);
    const id = decodeURIComponent(parts[1] ?? '');
    if (parts.length === 2 && req.method === 'GET') {
      stats.polls += 1;
      return send(res, 200, book.poll(id));
    }
    if (parts.length === 3 && parts[2] === 'cancel' && req.method === 'POST') {
      stats.cancels += 1;
      return send(res, 200, book.cancel(id));
    }
    throw new Problem(405, 'Method Not Allowed', `no route ${req.method} ${url.pathname}`);
  };

  const createJob = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const key = header(req, 'idempotency-key');
    if (!key)
      throw new Problem(400, 'Bad Request', 'the Idempotency-Key header is required', [
        { field: 'Idempotency-Key', message: 'required header' },
      ]);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new Problem(400, 'Bad Request', `the body is not JSON: ${(e as Error).message}`, [
        { field: '(body)', message: 'invalid JSON' },
      ]);
    }
    const parsed = parseSubmission(json);
    if (!parsed.ok) {
      throw new Problem(
        400,
        'Bad Request',
        `invalid submission: ${parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        parsed.errors,
      );
    }
    const { job, created } = book.create(parsed.submission, key);
    if (created) stats.created += 1;
    send(res, created ? 201 : 200, job, { location: `/jobs/${encodeURIComponent(job.id)}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const problem =
        e instanceof Problem
          ? e
          : e instanceof UnknownJob
            ? new Problem(404, 'Not Found', e.message)
            : e instanceof IdempotencyConflict
              ? new Problem(409, 'Conflict', e.message, [
                  { field: 'Idempotency-Key', message: 'reused with a different body' },
                ])
              : new Problem(500, 'Internal Server Error', String(e));
      sendProblem(res, problem);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${hostInUrl}:${port}`,
    jobs: () => book.all(),
    job: (id) => book.peek(id),
    failNext: (n, status = 503) => faults.failNext(n, status),
    forgetIdempotencyKeys: () => book.forgetIdempotencyKeys(),
    setFaults: (f) => faults.set(f),
    stats: () => ({ ...stats }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function validateProgression(p: Progression): void {
  const value = 'msPerStep' in p ? p.msPerStep : p.pollsPerStep;
  const name = 'msPerStep' in p ? 'progression.msPerStep' : 'progression.pollsPerStep';
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw new Problem(413, 'Payload Too Large', `the body is over ${MAX_BODY_BYTES} bytes`);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    })
    .end(text);
}

function sendProblem(res: ServerResponse, p: Problem): void {
  const text = JSON.stringify({
    type: 'about:blank',
    title: p.title,
    status: p.status,
    detail: p.message,
    ...(p.errors ? { errors: p.errors } : {}),
  });
  res
    .writeHead(p.status, {
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...p.headers,
    })
    .end(text);
}
