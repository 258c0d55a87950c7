/** The EventPublisher port in memory: keeps every delivery; while `failing` is set, reports every event as not published. */
import type { EventPublisher, PublishResult } from '../../../src/application/ports';
import type { StoredEvent } from '../../../src/domain/events';

export class InMemoryPublisher implements EventPublisher {
  readonly delivered: StoredEvent[] = [];
  failing?: string;

  async publish(events: StoredEvent[]): Promise<PublishResult> {
    const failing = this.failing;
    if (failing)
      return { published: [], failed: events.map((e) => ({ eventId: e.eventId, error: failing, retriable: true })) };
    this.delivered.push(...structuredClone(events));
    return { published: events.map((e) => e.eventId), failed: [] };
  }
}
