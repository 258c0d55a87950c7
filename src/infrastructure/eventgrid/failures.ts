/**
 * Classifies a failed publish (azure-facts §1.4): throttling, server errors and network trouble
 * are worth retrying later; a refused payload, bad credentials or a wrong endpoint are not.
 */
export interface PublishFailure {
  retriable: boolean;
  error: string;
}

const NON_RETRIABLE_STATUSES = new Set([400, 401, 403, 404, 413]);

export function classifyPublishError(e: unknown): PublishFailure {
  const status = statusOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (status === undefined) return { retriable: true, error: `network error: ${message}` };
  const error = `Event Grid answered ${status}: ${message}`;
  if (status === 408 || status === 429 || status >= 500) return { retriable: true, error };
  if (NON_RETRIABLE_STATUSES.has(status)) return { retriable: false, error };
  // Other 4xx are undocumented for publishing; treat them as a payload/contract problem.
  return { retriable: false, error };
}

function statusOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'statusCode' in e) {
    const s = (e as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number') return s;
  }
  return undefined;
}
