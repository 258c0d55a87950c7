/**
 * What `npm start` checks of the subscriber once the demo's requests finished: after the topic has
 * nothing left to deliver, the subscriber's inbox holds every stored event of every request exactly
 * once, in version order, and its daily figures count each request's outcome once.
 */
import { readAll } from '../../src/application/ports';
import type { Services } from '../../src/infrastructure/services';
import type { Dispatcher, SubscriptionMetrics } from '@saga/devhost/localstack';

export interface SubscriberCheck {
  problems: string[];
  events: number;
}

export async function waitForDeliveries(delivery: Dispatcher | undefined, timeoutMs: number): Promise<boolean> {
  if (!delivery) return false;
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    delivery.idle().then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  return done;
}

export async function checkSubscriber(
  requestIds: string[],
  services: Services,
  subscriberUrl: string,
  key?: string,
): Promise<SubscriberCheck> {
  const problems: string[] = [];
  const headers = key ? { 'x-functions-key': key } : undefined;
  const outcomesByDay = new Map<string, Map<string, number>>();
  let events = 0;
  for (const id of requestIds) {
    const stream = await readAll(services.eventStore, id);
    events += stream.length;
    const res = await fetch(`${subscriberUrl}/api/readmodel/requests/${encodeURIComponent(id)}`, { headers });
    if (!res.ok) {
      problems.push(`${id}: the subscriber's read model answered ${res.status}`);
      continue;
    }
    const inbox = (await res.json()) as { appliedVersion: number; seen: { id: string; version: number }[] };
    const expected = stream.map((e) => `${e.version}:${e.eventId}`).join(',');
    const seen = inbox.seen.map((e) => `${e.version}:${e.id}`).join(',');
    if (inbox.appliedVersion !== stream.length || seen !== expected) {
      problems.push(
        `${id}: the subscriber applied v${inbox.appliedVersion} with ${inbox.seen.length} event ids; the store holds ${stream.length} (${seen === expected ? 'same ids' : 'ids differ'})`,
      );
    }
    const completed = stream.find((e) => e.type === 'RequestCompleted');
    if (completed) {
      const data = completed.data as { outcome: string; completedAt: string };
      const day = outcomesByDay.get(data.completedAt.slice(0, 10)) ?? new Map<string, number>();
      day.set(data.outcome, (day.get(data.outcome) ?? 0) + 1);
      outcomesByDay.set(data.completedAt.slice(0, 10), day);
    }
  }
  for (const [day, expected] of outcomesByDay) {
    const res = await fetch(`${subscriberUrl}/api/readmodel/daily?day=${day}`, { headers });
    const body = (await res.json()) as { outcomes: Record<string, { count: number }> };
    for (const [outcome, count] of expected) {
      // Other requests (not this demo's) may complete the same day: the model must count at least these.
      if ((body.outcomes[outcome]?.count ?? 0) < count)
        problems.push(
          `${day}: the subscriber counts ${body.outcomes[outcome]?.count ?? 0} ${outcome}, the store has ${count}`,
        );
    }
  }
  return { problems, events };
}

export function formatDeliveryFigures(metrics: SubscriptionMetrics[]): string {
  return metrics
    .map(
      (m) =>
        `  ${m.subscription}: ${m.matched} events matched, ${m.delivered} delivered, ${m.attempts} attempts (${m.retried} retries, ${m.failedAttempts} failed), ${m.deadLettered} dead-lettered, ${m.dropped} dropped, ${m.pending} pending; delivery latency p50 ${m.latencyMs.p50} ms, p95 ${m.latencyMs.p95} ms, max ${m.latencyMs.max} ms`,
    )
    .join('\n');
}
