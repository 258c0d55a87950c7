/** Reading and validating HTTP input: every rejection names the field and never reaches a use case. */
import type { HttpRequest } from '@azure/functions';
import { isValidRequestId, REQUEST_ID_RULE } from '../../domain/ids';
import { badRequest, HttpProblem } from './problem';

export const MAX_BODY_BYTES = 64 * 1024;

/** Parses a JSON object body. Empty bodies are allowed when `optional`. */
export async function readJsonObject(request: HttpRequest, optional = false): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpProblem(
      413,
      'Payload Too Large',
      `the body is ${Buffer.byteLength(text)} bytes; the limit is ${MAX_BODY_BYTES}`,
    );
  }
  if (text.trim() === '') {
    if (optional) return {};
    throw badRequest('a JSON object body is required', 'body');
  }
  const type = request.headers.get('content-type') ?? '';
  if (type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'Unsupported Media Type', `content-type must be application/json, got '${type}'`, {
      field: 'content-type',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body is not valid JSON: ${(e as Error).message}`, 'body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('the body must be a JSON object', 'body');
  return value as Record<string, unknown>;
}

export function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw badRequest(`unknown field(s): ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`, unknown[0]);
}

export function requestIdParam(request: HttpRequest, name = 'id'): string {
  const id = request.params[name];
  if (!isValidRequestId(id))
    throw badRequest(`'${String(id).slice(0, 120)}' is not a request id: it must be ${REQUEST_ID_RULE}`, name);
  return id;
}

export function optionalString(body: Record<string, unknown>, field: string, max = 500): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${field}' must be a string`, field);
  if (v.length > max) throw badRequest(`'${field}' must be at most ${max} characters`, field);
  return v;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badRequest(`'${field}' must be true or false`, field);
}

export function boundedInt(raw: string | null, field: string, min: number, max: number, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw badRequest(`'${field}' must be an integer between ${min} and ${max}`, field);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(`'${field}' must be between ${min} and ${max}`, field);
  return n;
}

/** `code` is the function key (Azure strips nothing), so it is always allowed. */
export function rejectUnknownQuery(request: HttpRequest, allowed: readonly string[]): void {
  for (const key of request.query.keys()) {
    if (key !== 'code' && !allowed.includes(key))
      throw badRequest(`unknown query parameter '${key}'; allowed: ${allowed.join(', ') || 'none'}`, key);
  }
}

/** For routes that take no input: an empty body, or an empty JSON object. */
export async function expectNoInput(request: HttpRequest): Promise<void> {
  rejectUnknownQuery(request, []);
  rejectUnknownFields(await readJsonObject(request, true), []);
}

/** Tokens are opaque, but only ones this API issued (JSON objects from the store) are accepted. */
export function cosmosTokenParam(request: HttpRequest): string | undefined {
  const raw = request.query.get('continuationToken');
  if (raw === null || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  // Cosmos issues JSON composite tokens, or raw backend tokens ("+RID:…") for single-partition queries.
  const cosmosToken = (typeof parsed === 'object' && parsed !== null) || /^[+-]RID:/.test(raw);
  if (!cosmosToken || raw.length > 4096)
    throw badRequest(
      "'continuationToken' is not a token this API issued; pass back the continuationToken of the previous page",
      'continuationToken',
    );
  return raw;
}
