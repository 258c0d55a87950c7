import type { Page } from '../../../src/application/ports';

/** One page of `items`; the continuation token is the offset of the next page. */
export function pageOf<T>(items: T[], maxCount: number, continuationToken?: string): Page<T> {
  const start = continuationToken ? Number(continuationToken) : 0;
  const end = start + maxCount;
  return { items: items.slice(start, end), ...(end < items.length ? { continuationToken: String(end) } : {}) };
}
