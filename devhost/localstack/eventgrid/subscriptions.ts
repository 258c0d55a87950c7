/**
 * Event subscriptions of the local topic, read from a JSON file that mirrors the Bicep
 * `Microsoft.EventGrid/topics/eventSubscriptions` properties (eventgrid/subscriptions.json; the
 * subscriber module of infra/ loads the same file). Anything the local topic would not honour —
 * an unknown filter, operator, destination type or property — is a startup error naming the field,
 * so a subscription never silently behaves differently here than in Azure.
 */
import { readFileSync } from 'node:fs';

export type AdvancedFilter =
  | { operatorType: 'StringIn'; key: string; values: string[] }
  | { operatorType: 'StringBeginsWith'; key: string; values: string[] }
  | { operatorType: 'NumberGreaterThan'; key: string; value: number }
  | { operatorType: 'BoolEquals'; key: string; value: boolean }
  | { operatorType: 'IsNotNull'; key: string };

export interface SubscriptionFilter {
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  isSubjectCaseSensitive?: boolean;
  advancedFilters?: AdvancedFilter[];
}

/** An Azure Functions Event Grid trigger (endpointType AzureFunction): app by logical name, function by name. */
export interface FunctionDestination {
  endpointType: 'AzureFunction';
  functionApp: string;
  functionName: string;
  maxEventsPerBatch: 1;
}

export interface WebHookDestination {
  endpointType: 'WebHook';
  endpointUrl: string;
  maxEventsPerBatch: 1;
}

export type Destination = FunctionDestination | WebHookDestination;

export interface RetryPolicy {
  /** 1-30, default 30. */
  maxDeliveryAttempts: number;
  /** 1-1440, default 1440. */
  eventTimeToLiveInMinutes: number;
}

export interface Subscription {
  name: string;
  destination: Destination;
  eventDeliverySchema: 'CloudEventSchemaV1_0';
  filter: SubscriptionFilter;
  retryPolicy: RetryPolicy;
  /** Blob container of the dead-letter destination; none = events that cannot be delivered are dropped. */
  deadLetterContainer?: string;
}

export class SubscriptionFileError extends Error {
  constructor(
    readonly field: string,
    problem: string,
    source: string,
  ) {
    super(`${source}: ${field}: ${problem}`);
    this.name = 'SubscriptionFileError';
  }
}

const OPERATORS = ['StringIn', 'StringBeginsWith', 'NumberGreaterThan', 'BoolEquals', 'IsNotNull'] as const;
const DESTINATIONS = ['AzureFunction', 'WebHook'] as const;

export function readSubscriptionsFile(path: string): Subscription[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SubscriptionFileError('(file)', `cannot be read as JSON: ${(e as Error).message}`, path);
  }
  return parseSubscriptions(parsed, path);
}

/** Validates the file's content; `source` names the file in errors. */
export function parseSubscriptions(doc: unknown, source = 'subscriptions'): Subscription[] {
  const fail = (field: string, problem: string): never => {
    throw new SubscriptionFileError(field, problem, source);
  };
  const root = object(doc, '(root)', fail);
  allowOnly(root, ['$comment', 'subscriptions'], '', fail);
  if (!Array.isArray(root.subscriptions)) fail('subscriptions', 'must be an array');
  const names = new Set<string>();
  return (root.subscriptions as unknown[]).map((raw, i) => {
    const at = `subscriptions[${i}]`;
    const s = object(raw, at, fail);
    allowOnly(
      s,
      ['name', 'destination', 'eventDeliverySchema', 'filter', 'retryPolicy', 'deadLetterDestination'],
      at,
      fail,
    );
    const name = string(s.name, `${at}.name`, fail);
    if (!/^[A-Za-z0-9-]{3,64}$/.test(name))
      fail(`${at}.name`, 'must be 3-64 letters, digits or hyphens (an Event Grid subscription name)');
    if (names.has(name)) fail(`${at}.name`, `'${name}' is used twice`);
    names.add(name);
    if (s.eventDeliverySchema !== 'CloudEventSchemaV1_0')
      fail(
        `${at}.eventDeliverySchema`,
        `must be 'CloudEventSchemaV1_0' (the topic's input schema), got ${JSON.stringify(s.eventDeliverySchema)}`,
      );
    const deadLetter =
      s.deadLetterDestination === undefined
        ? undefined
        : parseDeadLetter(s.deadLetterDestination, `${at}.deadLetterDestination`, fail);
    return {
      name,
      destination: parseDestination(s.destination, `${at}.destination`, fail),
      eventDeliverySchema: 'CloudEventSchemaV1_0',
      filter: s.filter === undefined ? {} : parseFilter(s.filter, `${at}.filter`, fail),
      retryPolicy: parseRetry(s.retryPolicy, `${at}.retryPolicy`, fail),
      ...(deadLetter ? { deadLetterContainer: deadLetter } : {}),
    };
  });
}

type Fail = (field: string, problem: string) => never;

function parseDestination(raw: unknown, at: string, fail: Fail): Destination {
  const d = object(raw, at, fail);
  const type = d.endpointType;
  if (!DESTINATIONS.includes(type as (typeof DESTINATIONS)[number]))
    fail(
      `${at}.endpointType`,
      `unknown destination ${JSON.stringify(type)}; the local topic delivers to ${DESTINATIONS.join(', ')}`,
    );
  const maxEventsPerBatch = d.maxEventsPerBatch ?? 1;
  if (maxEventsPerBatch !== 1)
    fail(`${at}.maxEventsPerBatch`, 'only 1 is modelled locally (one event per delivery, the Event Grid default)');
  if (type === 'AzureFunction') {
    allowOnly(d, ['endpointType', 'functionApp', 'functionName', 'maxEventsPerBatch'], at, fail);
    return {
      endpointType: 'AzureFunction',
      functionApp: string(d.functionApp, `${at}.functionApp`, fail),
      functionName: string(d.functionName, `${at}.functionName`, fail),
      maxEventsPerBatch: 1,
    };
  }
  allowOnly(d, ['endpointType', 'endpointUrl', 'maxEventsPerBatch'], at, fail);
  const url = string(d.endpointUrl, `${at}.endpointUrl`, fail);
  if (!/^https?:\/\//.test(url)) fail(`${at}.endpointUrl`, `must be an http(s) URL, got '${url}'`);
  return { endpointType: 'WebHook', endpointUrl: url, maxEventsPerBatch: 1 };
}

function parseFilter(raw: unknown, at: string, fail: Fail): SubscriptionFilter {
  const f = object(raw, at, fail);
  allowOnly(
    f,
    ['includedEventTypes', 'subjectBeginsWith', 'subjectEndsWith', 'isSubjectCaseSensitive', 'advancedFilters'],
    at,
    fail,
  );
  const out: SubscriptionFilter = {};
  if (f.includedEventTypes !== undefined)
    out.includedEventTypes = strings(f.includedEventTypes, `${at}.includedEventTypes`, fail);
  if (f.subjectBeginsWith !== undefined)
    out.subjectBeginsWith = string(f.subjectBeginsWith, `${at}.subjectBeginsWith`, fail, true);
  if (f.subjectEndsWith !== undefined)
    out.subjectEndsWith = string(f.subjectEndsWith, `${at}.subjectEndsWith`, fail, true);
  if (f.isSubjectCaseSensitive !== undefined) {
    if (typeof f.isSubjectCaseSensitive !== 'boolean') fail(`${at}.isSubjectCaseSensitive`, 'must be true or false');
    out.isSubjectCaseSensitive = f.isSubjectCaseSensitive as boolean;
  }
  if (f.advancedFilters !== undefined) {
    if (!Array.isArray(f.advancedFilters)) fail(`${at}.advancedFilters`, 'must be an array');
    // Event Grid's limit: 25 advanced filters per subscription.
    if ((f.advancedFilters as unknown[]).length > 25)
      fail(`${at}.advancedFilters`, 'at most 25 advanced filters per subscription');
    out.advancedFilters = (f.advancedFilters as unknown[]).map((a, i) =>
      parseAdvanced(a, `${at}.advancedFilters[${i}]`, fail),
    );
  }
  return out;
}

function parseAdvanced(raw: unknown, at: string, fail: Fail): AdvancedFilter {
  const a = object(raw, at, fail);
  const op = a.operatorType;
  if (!OPERATORS.includes(op as (typeof OPERATORS)[number]))
    fail(
      `${at}.operatorType`,
      `unknown filter operator ${JSON.stringify(op)}; the local topic models ${OPERATORS.join(', ')}`,
    );
  const key = string(a.key, `${at}.key`, fail);
  switch (op) {
    case 'StringIn':
    case 'StringBeginsWith':
      allowOnly(a, ['operatorType', 'key', 'values'], at, fail);
      return { operatorType: op, key, values: strings(a.values, `${at}.values`, fail) };
    case 'NumberGreaterThan':
      allowOnly(a, ['operatorType', 'key', 'value'], at, fail);
      if (typeof a.value !== 'number' || !Number.isFinite(a.value)) fail(`${at}.value`, 'must be a number');
      return { operatorType: op, key, value: a.value as number };
    case 'BoolEquals':
      allowOnly(a, ['operatorType', 'key', 'value'], at, fail);
      if (typeof a.value !== 'boolean') fail(`${at}.value`, 'must be true or false');
      return { operatorType: op, key, value: a.value as boolean };
    default:
      allowOnly(a, ['operatorType', 'key'], at, fail);
      return { operatorType: 'IsNotNull', key };
  }
}

function parseRetry(raw: unknown, at: string, fail: Fail): RetryPolicy {
  if (raw === undefined) return { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 };
  const r = object(raw, at, fail);
  allowOnly(r, ['maxDeliveryAttempts', 'eventTimeToLiveInMinutes'], at, fail);
  const int = (v: unknown, field: string, min: number, max: number, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      fail(`${at}.${field}`, `must be a whole number ${min}-${max}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  return {
    maxDeliveryAttempts: int(r.maxDeliveryAttempts, 'maxDeliveryAttempts', 1, 30, 30),
    eventTimeToLiveInMinutes: int(r.eventTimeToLiveInMinutes, 'eventTimeToLiveInMinutes', 1, 1440, 1440),
  };
}

function parseDeadLetter(raw: unknown, at: string, fail: Fail): string {
  const d = object(raw, at, fail);
  allowOnly(d, ['endpointType', 'blobContainerName'], at, fail);
  if (d.endpointType !== 'StorageBlob')
    fail(
      `${at}.endpointType`,
      `unknown dead-letter destination ${JSON.stringify(d.endpointType)}; Event Grid dead-letters to 'StorageBlob'`,
    );
  const container = string(d.blobContainerName, `${at}.blobContainerName`, fail);
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container))
    fail(`${at}.blobContainerName`, `'${container}' is not a valid blob container name`);
  return container;
}

function object(v: unknown, at: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function allowOnly(o: Record<string, unknown>, allowed: string[], at: string, fail: Fail): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) fail(at ? `${at}.${key}` : key, `unknown field; allowed here: ${allowed.join(', ')}`);
  }
}

function string(v: unknown, at: string, fail: Fail, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v === '')) fail(at, 'must be a non-empty string');
  return v as string;
}

function strings(v: unknown, at: string, fail: Fail): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === ''))
    fail(at, 'must be a non-empty array of strings');
  return v as string[];
}
