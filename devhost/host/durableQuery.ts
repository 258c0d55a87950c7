/**
 * Query-string parsing of the Durable HTTP API as the extension does it (HttpApiHandler.cs,
 * TryGet…QueryParameterValue): a value that does not parse is ignored, as if it were absent. The
 * devhost logs a warning for each one so the mistake is visible locally, where Azure stays silent.
 */
import type { RuntimeStatus } from '../durable/api';

/** OrchestrationRuntimeStatus in declaration order: DTFx's Enum.TryParse also accepts the numbers. */
const RUNTIME_STATUSES: RuntimeStatus[] = [
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Pending',
  'Suspended',
];

export class QueryReader {
  constructor(
    private readonly query: URLSearchParams,
    private readonly warn: (message: string) => void,
  ) {}

  private ignored(name: string, value: string, expected: string): undefined {
    this.warn(
      `Durable HTTP API: query parameter ${name}='${value}' is not ${expected}; ignored, as the Durable extension does.`,
    );
    return undefined;
  }

  string(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }

  /** bool.TryParse: 'true' / 'false' in any case, surrounding spaces allowed. */
  flag(name: string, fallback: boolean): boolean {
    const v = this.query.get(name);
    if (v === null) return fallback;
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    this.ignored(name, v, 'true or false');
    return fallback;
  }

  /** int.TryParse: an optionally signed 32-bit integer. */
  int(name: string): number | undefined {
    const v = this.query.get(name);
    if (v === null) return undefined;
    const n = Number(v.trim());
    if (!/^\s*[+-]?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31))
      return this.ignored(name, v, 'an integer');
    return n;
  }

  /** DateTime.TryParse, as ISO 8601 (with the extension's padding of short years). */
  date(name: string): string | undefined {
    const v = this.query.get(name);
    if (v === null) return undefined;
    const dash = v.indexOf('-');
    const padded = dash > 0 && dash < 4 && /^\d+$/.test(v.slice(0, dash)) ? v.padStart(v.length + 4 - dash, '0') : v;
    const d = new Date(padded);
    if (v.trim() === '' || Number.isNaN(d.getTime())) return this.ignored(name, v, 'a date/time');
    return d.toISOString();
  }

  /** double.TryParse of seconds, as milliseconds. */
  seconds(name: string): number | undefined {
    const v = this.query.get(name);
    if (v === null) return undefined;
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n)) return this.ignored(name, v, 'a number of seconds');
    return n * 1000;
  }

  /** Comma list of OrchestrationRuntimeStatus names (case-sensitive, as Enum.TryParse) or numbers; unknown entries are skipped. */
  statuses(name: string): RuntimeStatus[] | undefined {
    const values = this.query.getAll(name).flatMap((v) => v.split(','));
    const found: RuntimeStatus[] = [];
    for (const raw of values) {
      const v = raw.trim();
      const byName = RUNTIME_STATUSES.find((s) => s === v);
      const byNumber = /^\d+$/.test(v) ? RUNTIME_STATUSES[Number(v)] : undefined;
      const status = byName ?? byNumber;
      if (status) found.push(status);
      else this.ignored(name, raw, `one of ${RUNTIME_STATUSES.join(', ')}`);
    }
    return found.length ? found : undefined;
  }
}
