/**
 * ASP.NET-style route templates as the Functions host accepts them for HTTP triggers:
 * `items/{id}`, optional `{id?}`, constraints `{id:int}` / `{id:alpha}` / `{id:guid}` (honoured; other
 * constraints are accepted and not checked), and a trailing catch-all `{*rest}`. Matching is
 * case-insensitive on literals, like the host.
 */

interface Segment {
  literal?: string;
  param?: string;
  optional?: boolean;
  catchAll?: boolean;
  constraints: string[];
}

export interface RouteTemplate {
  readonly template: string;
  /** Parameters from a path (without the route prefix), or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

export function parseRoute(template: string): RouteTemplate {
  const clean = template.replace(/^\/+|\/+$/g, '');
  const segments: Segment[] =
    clean === '' ? [] : clean.split('/').map((text, i, all) => parseSegment(text, template, i === all.length - 1));
  return {
    template,
    match(path: string) {
      const parts = path
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .filter((p) => p !== '');
      const params: Record<string, string> = {};
      for (const [i, seg] of segments.entries()) {
        if (seg.catchAll) {
          const rest = parts.slice(i).map(decode);
          if (rest.length > 0) params[seg.param as string] = rest.join('/');
          return params;
        }
        const part = parts[i];
        if (part === undefined) {
          // Only trailing optional parameters may be left out.
          if (segments.slice(i).every((s) => s.optional || s.catchAll)) return params;
          return undefined;
        }
        if (seg.literal !== undefined) {
          if (decode(part).toLowerCase() !== seg.literal.toLowerCase()) return undefined;
        } else {
          const v = decode(part);
          if (!satisfies(v, seg.constraints)) return undefined;
          params[seg.param as string] = v;
        }
      }
      return parts.length === segments.length ? params : undefined;
    },
  };
}

function parseSegment(text: string, template: string, last: boolean): Segment {
  const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)((?::[^:{}?]+)*)(\?)?\}$/.exec(text);
  if (!m) {
    if (/[{}]/.test(text))
      throw new Error(
        `Invalid route template "${template}": segment "${text}" must be a literal or a single {parameter}.`,
      );
    return { literal: decode(text), constraints: [] };
  }
  const [, star, param, constraintText, optional] = m;
  if (star && !last)
    throw new Error(`Invalid route template "${template}": the catch-all {*${param}} must be the last segment.`);
  return {
    param,
    optional: optional === '?',
    catchAll: star === '*',
    constraints: constraintText
      ? constraintText
          .slice(1)
          .split(':')
          .map((c) => c.toLowerCase())
      : [],
  };
}

function satisfies(value: string, constraints: string[]): boolean {
  return constraints.every((c) => {
    if (c === 'int' || c === 'long') return /^-?\d+$/.test(value);
    if (c === 'alpha') return /^[a-z]+$/i.test(value);
    if (c === 'bool') return /^(true|false)$/i.test(value);
    if (c === 'guid')
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value.replace(/[{}()]/g, ''));
    if (c === 'double' || c === 'decimal' || c === 'float') return value.trim() !== '' && !Number.isNaN(Number(value));
    return true;
  });
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
