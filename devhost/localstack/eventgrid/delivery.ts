/**
 * Push delivery from the local topic to its subscriptions, following "Event Grid message delivery
 * and retry": every matching subscription gets each event at least once, one event per request
 * (CloudEvents structured mode), in no guaranteed order; 200-204 acknowledges; no answer within
 * 30 s, a connection failure or any other status is retried on Event Grid's schedule (10 s, 30 s,
 * 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h, with a little jitter) until
 * `maxDeliveryAttempts` or `eventTimeToLiveInMinutes` runs out; the statuses Event Grid never
 * retries (Azure-resource destinations 400/403/413; webhooks 400/401/403/413) end delivery at once.
 * An undeliverable event is dead-lettered when the subscription has a dead-letter container,
 * otherwise dropped. `timeScale` compresses the schedule and the time to live for tests.
 */
import type { DeadLetterRecord, DeadLetterSink } from './deadLetter';
import { matchesFilter, type CloudEventJson } from './filters';
import { MetricsBook, type SubscriptionMetrics } from './metrics';
import type { FunctionDestination, Subscription, WebHookDestination } from './subscriptions';

export const RETRY_SCHEDULE_SECONDS: readonly number[] = [10, 30, 60, 300, 600, 1800, 3600, 10800, 21600];
const LATER_RETRY_SECONDS = 12 * 3600;
const NON_RETRIABLE: Record<'AzureFunction' | 'WebHook', readonly number[]> = {
  AzureFunction: [400, 403, 413],
  WebHook: [400, 401, 403, 413],
};
/** Event Grid's handshake origin for CloudEvents webhooks. */
export const WEBHOOK_REQUEST_ORIGIN = 'eventgrid.azure.net';

export interface DeliveryOptions {
  subscriptions: Subscription[];
  /** URL (with its key) of a function destination, or undefined while that app is not running. */
  resolveFunction?: (destination: FunctionDestination) => string | undefined;
  deadLetters?: DeadLetterSink;
  /** Multiplies the retry schedule and the time to live; 1 (default) is Azure's timing. */
  timeScale?: number;
  /** How long a destination may take to answer; default 30 s (not scaled). */
  responseTimeoutMs?: number;
  /** Concurrent requests per subscription; default 16. */
  concurrency?: number;
  log?: (message: string) => void;
}

export interface Dispatcher {
  /** Fans accepted events out to every subscription whose filter they match. */
  publish(events: CloudEventJson[]): void;
  metrics(): SubscriptionMetrics[];
  /** Every dead-letter record written (or attempted) so far. */
  deadLettered(): (DeadLetterRecord & { blob?: string })[];
  /** Resolves once no matched event is still waiting for delivery. */
  idle(): Promise<void>;
  stop(): void;
}

interface Delivery {
  sub: Subscription;
  event: CloudEventJson;
  publishTime: Date;
  attempts: number;
  expiresAt: number;
}

interface AttemptResult {
  ok: boolean;
  status?: number;
  outcome: string;
}

export function createDispatcher(opts: DeliveryOptions): Dispatcher {
  const scale = opts.timeScale ?? 1;
  const timeoutMs = opts.responseTimeoutMs ?? 30000;
  const limit = opts.concurrency ?? 16;
  const book = new MetricsBook(opts.subscriptions.map((s) => s.name));
  const timers = new Set<NodeJS.Timeout>();
  const validated = new Set<string>();
  const running = new Map<string, number>();
  const waiting = new Map<string, Delivery[]>();
  const records: (DeadLetterRecord & { blob?: string })[] = [];
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  const settle = (): void => {
    if (book.pending() > 0) return;
    const w = idleWaiters;
    idleWaiters = [];
    w.forEach((f) => f());
  };

  const schedule = (d: Delivery, delayMs: number): void => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      enqueue(d);
    }, delayMs);
    timers.add(t);
  };

  const enqueue = (d: Delivery): void => {
    const name = d.sub.name;
    if ((running.get(name) ?? 0) >= limit) {
      waiting.set(name, [...(waiting.get(name) ?? []), d]);
      return;
    }
    running.set(name, (running.get(name) ?? 0) + 1);
    void run(d).finally(() => {
      running.set(name, (running.get(name) ?? 1) - 1);
      const next = waiting.get(name)?.shift();
      if (next) enqueue(next);
      settle();
    });
  };

  const run = async (d: Delivery): Promise<void> => {
    if (stopped) return;
    if (Date.now() >= d.expiresAt) return end(d, 'TimeToLiveExceeded', { ok: false, outcome: 'TimeToLiveExceeded' });
    d.attempts++;
    const result = await attempt(d);
    book.attempt(d.sub.name, d.attempts > 1, result.ok);
    if (result.ok) {
      book.delivered(d.sub.name, Date.now() - d.publishTime.getTime());
      return;
    }
    if (result.status !== undefined && NON_RETRIABLE[d.sub.destination.endpointType].includes(result.status)) {
      return end(d, 'NonRetriableStatus', result);
    }
    if (d.attempts >= d.sub.retryPolicy.maxDeliveryAttempts) return end(d, 'MaxDeliveryAttemptsExceeded', result);
    const base = (RETRY_SCHEDULE_SECONDS[d.attempts - 1] ?? LATER_RETRY_SECONDS) * 1000 * scale;
    const jittered = base * (1 + Math.random() * 0.1);
    lastResult.set(d, result);
    // Wake at expiry at the latest, so an expired event is dead-lettered then, not at its next slot.
    schedule(d, Math.max(0, Math.min(jittered, d.expiresAt - Date.now())));
    opts.log?.(
      `event ${d.event.id} to ${d.sub.name}: attempt ${d.attempts} failed (${result.outcome}); retrying in ${Math.round(jittered)} ms`,
    );
  };

  const lastResult = new WeakMap<Delivery, AttemptResult>();

  const end = async (d: Delivery, reason: string, result: AttemptResult): Promise<void> => {
    const last = result.outcome === 'TimeToLiveExceeded' ? (lastResult.get(d) ?? result) : result;
    const record: DeadLetterRecord & { blob?: string } = {
      event: d.event,
      subscription: d.sub.name,
      reason,
      deliveryAttempts: d.attempts,
      lastDeliveryOutcome: last.outcome,
      ...(last.status !== undefined ? { lastHttpStatusCode: last.status } : {}),
      publishTime: d.publishTime,
      lastDeliveryAttemptTime: new Date(),
    };
    records.push(record);
    if (d.sub.deadLetterContainer && opts.deadLetters) {
      try {
        record.blob = await opts.deadLetters.write(d.sub.deadLetterContainer, record);
        book.ended(d.sub.name, 'deadLettered');
        opts.log?.(
          `event ${d.event.id} to ${d.sub.name}: dead-lettered (${reason}: ${last.outcome}) at ${record.blob}`,
        );
        return;
      } catch (e) {
        opts.log?.(`event ${d.event.id} to ${d.sub.name}: dead-letter write failed (${(e as Error).message}); dropped`);
      }
    }
    book.ended(d.sub.name, 'dropped');
  };

  const attempt = async (d: Delivery): Promise<AttemptResult> => {
    const dest = d.sub.destination;
    const url = dest.endpointType === 'AzureFunction' ? opts.resolveFunction?.(dest) : dest.endpointUrl;
    if (!url)
      return {
        ok: false,
        outcome: `Destination not available (function app '${(dest as FunctionDestination).functionApp}' is not running)`,
      };
    try {
      if (dest.endpointType === 'WebHook' && !validated.has(d.sub.name)) {
        const problem = await handshake(dest, timeoutMs);
        if (problem) return { ok: false, outcome: `Validation handshake failed: ${problem}` };
        validated.add(d.sub.name);
      }
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': d.sub.name.toUpperCase(),
          'aeg-delivery-count': String(d.attempts - 1),
          'aeg-metadata-version': '1',
        },
        body: JSON.stringify(d.event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status <= 204) return { ok: true, status: res.status, outcome: 'Delivered' };
      return {
        ok: false,
        status: res.status,
        outcome: `${res.statusText || 'HTTP ' + res.status}${text ? `: ${text.slice(0, 500)}` : ''}`,
      };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      return {
        ok: false,
        outcome:
          err.name === 'TimeoutError'
            ? `Timeout (no answer within ${timeoutMs} ms)`
            : `Connection failed (${err.cause?.code ?? err.message})`,
      };
    }
  };

  return {
    publish(events) {
      const now = new Date();
      for (const sub of opts.subscriptions) {
        for (const event of events) {
          if (!matchesFilter(event, sub.filter)) continue;
          book.matched(sub.name);
          enqueue({
            sub,
            event,
            publishTime: now,
            attempts: 0,
            expiresAt: now.getTime() + sub.retryPolicy.eventTimeToLiveInMinutes * 60000 * scale,
          });
        }
      }
    },
    metrics: () => book.snapshot(),
    deadLettered: () => [...records],
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      }),
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** The CloudEvents webhook validation: OPTIONS with WebHook-Request-Origin, answered WebHook-Allowed-Origin. */
async function handshake(dest: WebHookDestination, timeoutMs: number): Promise<string | undefined> {
  const res = await fetch(dest.endpointUrl, {
    method: 'OPTIONS',
    headers: { 'WebHook-Request-Origin': WEBHOOK_REQUEST_ORIGIN },
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.text().catch(() => '');
  const allowed = res.headers.get('webhook-allowed-origin');
  if (res.status !== 200) return `OPTIONS answered ${res.status}`;
  if (allowed !== WEBHOOK_REQUEST_ORIGIN && allowed !== '*')
    return `WebHook-Allowed-Origin is ${allowed === null ? 'missing' : `'${allowed}'`}`;
  return undefined;
}
