/**
 * NCRONTAB schedules as the Functions timer trigger reads them: six fields, seconds first
 * (`sec min hour day month day-of-week`); five fields are accepted with seconds = 0, as the host does.
 * Day-of-month and day-of-week are combined with AND, like NCrontab (unlike Vixie cron's OR).
 * Times are local to the process (set TZ to change it, as WEBSITE_TIME_ZONE does on Azure).
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export interface CronSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `after`, or undefined if none within eight years. */
  next(after: Date): Date | undefined;
}

export function parseNcrontab(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length === 5) parts.unshift('0');
  if (parts.length !== 6) {
    throw new Error(
      `Invalid NCRONTAB schedule "${expression}": expected 6 fields (second minute hour day month day-of-week), got ${parts.length}.`,
    );
  }
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) =>
    parseField(parts[i] ?? '', spec, expression),
  );
  if (!seconds || !minutes || !hours || !days || !months || !weekdays)
    throw new Error(`NCRONTAB field list has ${FIELDS.length} entries, not 6`);
  return {
    expression,
    next(after: Date): Date | undefined {
      const t = new Date(after.getTime());
      t.setMilliseconds(0);
      t.setSeconds(t.getSeconds() + 1);
      const limit = after.getTime() + 8 * 366 * 24 * 3600 * 1000;
      while (t.getTime() <= limit) {
        if (!months[t.getMonth() + 1]) {
          t.setMonth(t.getMonth() + 1, 1);
          t.setHours(0, 0, 0);
        } else if (!days[t.getDate()] || !weekdays[t.getDay()]) {
          t.setDate(t.getDate() + 1);
          t.setHours(0, 0, 0);
        } else if (!hours[t.getHours()]) {
          t.setHours(t.getHours() + 1, 0, 0);
        } else if (!minutes[t.getMinutes()]) {
          t.setMinutes(t.getMinutes() + 1, 0);
        } else if (!seconds[t.getSeconds()]) {
          t.setSeconds(t.getSeconds() + 1);
        } else {
          return t;
        }
      }
      return undefined;
    },
  };
}

/** Returns a lookup table indexed by value (true = allowed). */
function parseField(text: string, spec: FieldSpec, expression: string): boolean[] {
  const allowed = new Array<boolean>(spec.max + 1).fill(false);
  const fail: (why: string) => never = (why) => {
    throw new Error(`Invalid NCRONTAB schedule "${expression}": ${spec.name} field "${text}" ${why}.`);
  };
  for (const item of text.split(',')) {
    const [, range, stepText] = /^([^/]+)(?:\/(\d+))?$/.exec(item) ?? [];
    if (range === undefined) fail('is malformed');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail('has a step below 1');
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else {
      const [low = '', high, ...extra] = range.split('-');
      if (extra.length > 0) fail('has a malformed range');
      from = value(low, spec, fail);
      to = high !== undefined ? value(high, spec, fail) : stepText === undefined ? from : spec.max;
      if (from > to) fail(`has a range ${from}-${to} that runs backwards`);
    }
    for (let v = from; v <= to; v += step) allowed[v] = true;
  }
  return allowed;
}

function value(token: string, spec: FieldSpec, fail: (why: string) => never): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) fail(`has "${token}", which is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(token);
  if (n < spec.min || n > spec.max) fail(`has ${n}, outside ${spec.min}-${spec.max}`);
  return n;
}
