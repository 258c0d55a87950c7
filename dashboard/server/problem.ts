/** An input or state the dashboard API refuses, as RFC 9457 problem details (independent of any host). */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(detail);
  }
  toJson(): Record<string, unknown> {
    return {
      type: `https://httpstatuses.io/${this.status}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.fields,
    };
  }
}

export const badRequest = (detail: string, field?: string): Problem =>
  new Problem(400, 'Bad Request', detail, field ? { field } : {});
export const notFound = (detail: string): Problem => new Problem(404, 'Not Found', detail);
export const conflict = (detail: string): Problem => new Problem(409, 'Conflict', detail);

export function boundedIntParam(
  query: URLSearchParams,
  field: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = query.get(field);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw badRequest(`'${field}' must be an integer between ${min} and ${max}`, field);
  return Number(raw);
}

export function isoParam(query: URLSearchParams, field: string): string | undefined {
  const raw = query.get(field);
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(t))
    throw badRequest(`'${field}' must be an ISO 8601 time, got '${raw.slice(0, 60)}'`, field);
  return new Date(t).toISOString();
}

/** `code` is the function key, always allowed. */
export function rejectUnknown(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of query.keys()) {
    if (key !== 'code' && !allowed.includes(key))
      throw badRequest(`unknown query parameter '${key}'; allowed: ${allowed.join(', ') || 'none'}`, key);
  }
}
