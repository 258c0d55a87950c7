/**
 * Cosmos failures mapped onto the workflow's error classes. The Cosmos SDK puts the HTTP status on
 * `code` (Tables uses `statusCode`), and network failures carry Node's errno codes instead.
 */
import { NonRetriableError, TransientError, WorkflowError, ensureError } from '../../application/errors';

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
]);

export function cosmosStatusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const statusCode = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 449 || status >= 500;
}

/**
 * TransientError for throttling, 5xx, timeouts and network failures; NonRetriableError for other HTTP
 * statuses; anything else (a bug, a WorkflowError) is returned unchanged.
 */
export function mapCosmosError(e: unknown, what: string): Error {
  if (e instanceof WorkflowError) return e;
  const err = ensureError(e);
  const status = cosmosStatusOf(e);
  if (status !== undefined) {
    return isTransientStatus(status)
      ? new TransientError(`Cosmos ${what} failed with ${status}: ${err.message}`, { cause: e, status })
      : new NonRetriableError(`Cosmos ${what} failed with ${status}: ${err.message}`, { cause: e });
  }
  const code = (e as { code?: unknown } | null)?.code;
  const network =
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) ||
    /socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(err.message);
  if (network || err.name === 'TimeoutError') {
    return new TransientError(`Cosmos ${what} failed: ${err.message}`, { cause: e });
  }
  return err;
}
