/**
 * Replay for subscribers: publishes stored events again, for one request or for every event that
 * occurred in a time range. Safe to repeat: each stored event maps to the same CloudEvent (same id,
 * same sequence), so a subscriber that dedupes by id applies it at most once.
 */
import type { StoredEvent } from '../../domain/events';
import { readAll, type EventPublisher, type EventStore } from '../ports';

export type ReplaySelection = { requestId: string } | { from: string; to: string };

export interface ReplayReport {
  streams: number;
  events: number;
  published: number;
  failed: { eventId: string; error: string }[];
}

/** Events per publish call (well under Event Grid's 5,000 events / 1 MB per request). */
const PUBLISH_BATCH = 100;

export async function replayEvents(
  deps: { eventStore: EventStore; publisher: EventPublisher },
  selection: ReplaySelection,
): Promise<ReplayReport> {
  const report: ReplayReport = { streams: 0, events: 0, published: 0, failed: [] };
  const publish = async (events: StoredEvent[]): Promise<void> => {
    if (events.length === 0) return;
    report.streams++;
    report.events += events.length;
    for (let i = 0; i < events.length; i += PUBLISH_BATCH) {
      const result = await deps.publisher.publish(events.slice(i, i + PUBLISH_BATCH));
      report.published += result.published.length;
      report.failed.push(...result.failed.map((f) => ({ eventId: f.eventId, error: f.error })));
    }
  };
  if ('requestId' in selection) {
    await publish(await readAll(deps.eventStore, selection.requestId));
    return report;
  }
  const from = Date.parse(selection.from);
  const to = Date.parse(selection.to);
  let token: string | undefined;
  do {
    const page = await deps.eventStore.listStreams({ continuationToken: token });
    for (const streamId of page.items) {
      const inRange = (await readAll(deps.eventStore, streamId)).filter((e) => {
        const at = Date.parse(e.occurredAt);
        return at >= from && at < to;
      });
      await publish(inRange);
    }
    token = page.continuationToken;
  } while (token);
  return report;
}
