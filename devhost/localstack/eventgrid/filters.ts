/**
 * Event Grid's subscription filters over a CloudEvent, as documented in "Understand event filtering
 * for Event Grid subscriptions": event types compare case-insensitively; subject prefix/suffix are
 * case-insensitive unless `isSubjectCaseSensitive`; advanced-filter keys name a CloudEvents
 * attribute (`type`, `subject`, an extension such as `sequence`) or a path under `data.`; string
 * operators are case-insensitive; every advanced filter must match (AND), any of a filter's values
 * may match (OR). A key that is absent fails every operator (IsNotNull included).
 */
import type { AdvancedFilter, SubscriptionFilter } from './subscriptions';

export type CloudEventJson = Record<string, unknown> & { id: string; type: string };

export function matchesFilter(event: CloudEventJson, filter: SubscriptionFilter): boolean {
  const type = String(event.type).toLowerCase();
  if (filter.includedEventTypes && !filter.includedEventTypes.some((t) => t.toLowerCase() === type)) return false;
  const caseSensitive = filter.isSubjectCaseSensitive === true;
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const subject = norm(typeof event.subject === 'string' ? event.subject : '');
  if (filter.subjectBeginsWith && !subject.startsWith(norm(filter.subjectBeginsWith))) return false;
  if (filter.subjectEndsWith && !subject.endsWith(norm(filter.subjectEndsWith))) return false;
  return (filter.advancedFilters ?? []).every((f) => matchesAdvanced(event, f));
}

function matchesAdvanced(event: CloudEventJson, f: AdvancedFilter): boolean {
  const value = valueAt(event, f.key);
  if (value === undefined || value === null) return false;
  switch (f.operatorType) {
    case 'IsNotNull':
      return true;
    case 'StringIn':
      return typeof value === 'string' && f.values.some((v) => v.toLowerCase() === value.toLowerCase());
    case 'StringBeginsWith':
      return typeof value === 'string' && f.values.some((v) => value.toLowerCase().startsWith(v.toLowerCase()));
    case 'NumberGreaterThan':
      return typeof value === 'number' && value > f.value;
    case 'BoolEquals':
      return typeof value === 'boolean' && value === f.value;
  }
}

function valueAt(event: CloudEventJson, key: string): unknown {
  if (!key.startsWith('data.')) return event[key];
  let current: unknown = event.data;
  for (const part of key.slice('data.'.length).split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
