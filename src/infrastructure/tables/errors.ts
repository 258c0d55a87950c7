/**
 * Table Storage failures mapped onto the workflow's error classes. `@azure/data-tables` puts the HTTP
 * status on `statusCode` (Cosmos uses `code`); transport failures have no status at all.
 */
import { NonRetriableError, TransientError, WorkflowError, ensureError } from '../../application/errors';

export function tableStatusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Throttling is 503 or 500 on Table Storage; 408 and 429 are retried too. */
export function mapTableError(e: unknown, what: string): Error {
  if (e instanceof WorkflowError) return e;
  const err = ensureError(e);
  const status = tableStatusOf(e);
  if (status !== undefined && status !== 0) {
    return status === 408 || status === 429 || status >= 500
      ? new TransientError(`Table ${what} failed with ${status}: ${err.message}`, { cause: e, status })
      : new NonRetriableError(`Table ${what} failed with ${status}: ${err.message}`, { cause: e });
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (
    code === 'REQUEST_SEND_ERROR' ||
    err.name === 'AbortError' ||
    /ECONNRESET|ECONNREFUSED|socket hang up|timed? ?out/i.test(err.message)
  ) {
    return new TransientError(`Table ${what} failed: ${err.message}`, { cause: e });
  }
  return err;
}
