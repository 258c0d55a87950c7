/**
 * ExternalJobs over HTTP (Node's global fetch). Node's fetch already pools keep-alive
 * connections per origin, so one instance per process is all the reuse needed.
 *
 * Failures are classified for the workflow's retry policy: 408/429/5xx, timeouts and network
 * errors → TransientError; any other 4xx → NonRetriableError; a 2xx whose body is not a job (or
 * carries an unknown status) → NonRetriableError, since retrying will not change the contract.
 */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import type { ExternalJob, ExternalJobs } from '../../application/ports';
import type { Submission } from '../../domain/events';
import { EXTERNAL_JOB_STATUSES, type ExternalJobStatus } from '../../domain/status';
import { ConfigurationError, NonRetriableError, TransientError } from '../../application/errors';
import { isLoopbackUrl } from '../http/loopback';
import { clientSpan } from '../telemetry/spans';
import { traceContextOf } from '../telemetry/tracing';

export interface HttpExternalJobsOptions {
  /** Base URL of the service (EXTERNAL_SERVICE_URL). */
  baseUrl: string;
  /** App ID URI of the service (EXTERNAL_SERVICE_AUDIENCE); when set, calls carry a bearer token. */
  audience?: string;
  /** Token source when an audience is set; defaults to DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Per-call timeout (EXTERNAL_SERVICE_TIMEOUT_MS); default 10 s. */
  timeoutMs?: number;
}

export class HttpExternalJobs implements ExternalJobs {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly credential?: TokenCredential;
  private readonly scope?: string;

  constructor(options: HttpExternalJobsOptions) {
    this.base = checkBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new ConfigurationError(`EXTERNAL_SERVICE_TIMEOUT_MS must be a positive number, got ${options.timeoutMs}`, [
        'EXTERNAL_SERVICE_TIMEOUT_MS',
      ]);
    }
    if (options.audience) {
      this.scope = options.audience.endsWith('/.default')
        ? options.audience
        : `${options.audience.replace(/\/$/, '')}/.default`;
      this.credential = options.credential ?? new DefaultAzureCredential();
    }
  }

  create(submission: Submission, idempotencyKey: string): Promise<ExternalJob> {
    return this.call('POST', '/jobs', {
      body: submission,
      headers: { 'idempotency-key': idempotencyKey },
      template: '/jobs',
    });
  }

  get(jobId: string): Promise<ExternalJob> {
    return this.call('GET', `/jobs/${encodeURIComponent(jobId)}`, { template: '/jobs/{id}' });
  }

  cancel(jobId: string): Promise<ExternalJob> {
    return this.call('POST', `/jobs/${encodeURIComponent(jobId)}/cancel`, { template: '/jobs/{id}/cancel' });
  }

  /** One HTTP client span per call (HTTP semantic conventions); the request carries its traceparent. */
  private call(
    method: string,
    path: string,
    extra: { body?: unknown; headers?: Record<string, string>; template: string },
  ): Promise<ExternalJob> {
    const url = new URL(this.base + path);
    return clientSpan(
      `${method} ${extra.template}`,
      {
        'http.request.method': method,
        'url.full': url.href,
        'url.template': extra.template,
        'server.address': url.hostname,
        'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      },
      async (span) => {
        const headers: Record<string, string> = { ...extra.headers };
        const tc = traceContextOf(span);
        if (tc) Object.assign(headers, tc);
        const job = await this.send(method, path, { ...extra, headers }, (status) =>
          span.setAttribute('http.response.status_code', status),
        );
        return job;
      },
    );
  }

  private async send(
    method: string,
    path: string,
    extra: { body?: unknown; headers: Record<string, string> },
    onStatus: (status: number) => void,
  ): Promise<ExternalJob> {
    const what = `${method} ${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...extra.headers };
    if (extra.body !== undefined) headers['content-type'] = 'application/json';
    if (this.credential && this.scope) headers.authorization = `Bearer ${await this.token()}`;

    let res: Response;
    let text: string;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: extra.body === undefined ? undefined : JSON.stringify(extra.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      onStatus(res.status);
      text = await res.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      const reason = timedOut ? `timed out after ${this.timeoutMs} ms` : `network error: ${describe(e)}`;
      throw new TransientError(`external service ${what} ${reason}`, { cause: e });
    }
    if (!res.ok) {
      const message = `external service ${what} answered ${res.status}: ${problemDetail(text)}`;
      if (res.status === 408 || res.status === 429 || res.status >= 500)
        throw new TransientError(message, { status: res.status });
      throw new NonRetriableError(message);
    }
    return parseJob(text, what);
  }

  private async token(): Promise<string> {
    let token: { token: string } | null;
    try {
      token = await this.credential!.getToken(this.scope!);
    } catch (e) {
      if (e instanceof Error && e.name === 'CredentialUnavailableError') {
        throw new ConfigurationError(`no credential can get a token for ${this.scope}: ${e.message}`, [
          'EXTERNAL_SERVICE_AUDIENCE',
        ]);
      }
      throw new TransientError(`getting a token for ${this.scope} failed: ${describe(e)}`, { cause: e });
    }
    if (!token) throw new TransientError(`the credential returned no token for ${this.scope}`);
    return token.token;
  }
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigurationError(`EXTERNAL_SERVICE_URL is not a URL: '${baseUrl}'`, ['EXTERNAL_SERVICE_URL']);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(baseUrl))) {
    throw new ConfigurationError(`EXTERNAL_SERVICE_URL must be https (plain http only on loopback): '${baseUrl}'`, [
      'EXTERNAL_SERVICE_URL',
    ]);
  }
  return baseUrl.replace(/\/+$/, '');
}

function parseJob(text: string, what: string): ExternalJob {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new NonRetriableError(
      `external service ${what} answered with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.id !== 'string' || b.id.length === 0) {
    throw new NonRetriableError(`external service ${what} answered without a job 'id'`);
  }
  if (!EXTERNAL_JOB_STATUSES.includes(b.status as ExternalJobStatus)) {
    throw new NonRetriableError(
      `external service ${what} answered with an unknown job 'status' ${JSON.stringify(b.status)} (known: ${EXTERNAL_JOB_STATUSES.join(', ')})`,
    );
  }
  return { id: b.id, status: b.status as ExternalJobStatus };
}

function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string') return p.detail;
    if (typeof p.title === 'string') return p.title;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200) || '(no body)';
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}
