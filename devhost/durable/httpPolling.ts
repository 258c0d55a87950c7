/**
 * The callHttp 202 polling pattern as the extension runs it (DurableOrchestrationContext.CallHttpAsync):
 * while the answer is 202 with a Location header (and asynchronousPatternEnabled), create a durable
 * timer for Retry-After seconds (default 30 s, HttpSettings.DefaultAsyncRequestSleepTimeMilliseconds)
 * and then GET the Location as another BuiltIn::HttpActivity. The SDK (schema V3,
 * CallHttpWithPollingTask) mirrors this: on a 202 it takes the next two sequence ids for the timer and
 * the next call without emitting actions for them. So, like retry internals, these ids are hidden: the
 * devhost allocates them when it delivers the 202 (last in the episode, as the SDK processes it) and
 * schedules the poll call when the timer fires.
 */
import { EventType, historyEvent, type HistoryEvent, type HistoryIndex } from './history';
import { HTTP_ACTIVITY } from './httpActivity';
import type { InstanceRecord } from './store/types';

export const DEFAULT_POLL_MS = 30_000;

interface HttpRequestWire {
  headers?: Record<string, string>;
  tokenSource?: unknown;
  asynchronousPatternEnabled?: boolean;
}
interface HttpResponseWire {
  statusCode?: number;
  headers?: Record<string, string | string[]>;
}

const parse = <T>(text: unknown): T | undefined => {
  try {
    return JSON.parse(String(text)) as T;
  } catch {
    return undefined;
  }
};

function header(headers: Record<string, string | string[]> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers?.[key];
  return Array.isArray(v) ? v[0] : v;
}

/** The Location to poll when `e` completes an HTTP call with 202 under the async pattern. */
function pollLocation(
  index: HistoryIndex,
  e: HistoryEvent,
): { location: string; request: HttpRequestWire; retryAfter?: string } | undefined {
  if (e.EventType !== EventType.TaskCompleted) return undefined;
  const scheduled = index.scheduled.get(Number(e.TaskScheduledId));
  if (scheduled?.EventType !== EventType.TaskScheduled || scheduled.Name !== HTTP_ACTIVITY) return undefined;
  const request = parse<HttpRequestWire>(scheduled.Input);
  const response = parse<HttpResponseWire>(e.Result);
  const location = header(response?.headers, 'location');
  if (!request || request.asynchronousPatternEnabled === false || response?.statusCode !== 202 || !location)
    return undefined;
  return { location, request, retryAfter: header(response.headers, 'retry-after') };
}

/** True for the events the devhost handles as polling internals: a 202 answer, or the poll timer firing. */
export function isHttpPollStep(record: InstanceRecord, index: HistoryIndex, e: HistoryEvent): boolean {
  if (e.EventType === EventType.TimerFired) return Boolean(record.httpPolls?.[String(e.TimerId)]);
  return pollLocation(index, e) !== undefined;
}

export interface PollWork {
  events: HistoryEvent[];
  /** Schedules the timer (fire time) or the poll call (request JSON) at a hidden id. */
  timer(id: number, fireAt: Date): void;
  call(id: number, requestJson: string): void;
}

/** Handles one polling event: a 202 takes the timer and call ids; the timer firing schedules the call. */
export function advanceHttpPoll(
  record: InstanceRecord,
  index: HistoryIndex,
  e: HistoryEvent,
  now: Date,
  allocate: () => number,
  work: PollWork,
): void {
  if (e.EventType === EventType.TimerFired) {
    const key = String(e.TimerId);
    const poll = record.httpPolls?.[key];
    if (!poll) return;
    delete record.httpPolls?.[key];
    work.call(poll.callId, poll.request);
    return;
  }
  const next = pollLocation(index, e);
  if (!next) return;
  const timerId = allocate();
  const callId = allocate();
  const seconds = Number.parseInt(next.retryAfter ?? '', 10);
  const fireAt = new Date(now.getTime() + (Number.isFinite(seconds) ? seconds * 1000 : DEFAULT_POLL_MS));
  const base = parse<{ uri?: string }>(index.scheduled.get(Number(e.TaskScheduledId))?.Input)?.uri;
  // CreateLocationPollRequest: GET the Location with the original headers and token source.
  const request = {
    method: 'GET',
    uri: base ? new URL(next.location, base).href : next.location,
    headers: next.request.headers,
    tokenSource: next.request.tokenSource,
    asynchronousPatternEnabled: true,
  };
  record.httpPolls = { ...record.httpPolls, [String(timerId)]: { callId, request: JSON.stringify(request) } };
  work.events.push(historyEvent(EventType.TimerCreated, now, { FireAt: fireAt.toISOString() }, timerId));
  work.timer(timerId, fireAt);
}
