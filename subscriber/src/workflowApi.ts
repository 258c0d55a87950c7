/** Gap filling: reads a request's stored events from the workflow's GET /api/requests/{id}/events?fromVersion=. */
import { fromStoredEvent, type InboxEvent } from './events';
import type { StreamSource } from './inbox';

export function workflowApiSource(baseUrl: string, key?: string): StreamSource {
  return {
    async read(streamId, fromVersion, toVersion) {
      const out: InboxEvent[] = [];
      let next = fromVersion;
      while (next <= toVersion) {
        const url = new URL(`/api/requests/${encodeURIComponent(streamId)}/events`, baseUrl);
        url.searchParams.set('fromVersion', String(next));
        url.searchParams.set('top', String(Math.min(1000, toVersion - next + 1)));
        const res = await fetch(url, { headers: key ? { 'x-functions-key': key } : {} });
        if (!res.ok)
          throw new Error(
            `gap fill for ${streamId} from v${next}: ${url.pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
          );
        const page = (await res.json()) as {
          events: { streamId: string; version: number; eventId: string; type: string; data: unknown }[];
        };
        const events = page.events.filter((e) => e.version <= toVersion).map(fromStoredEvent);
        if (events.length === 0) throw new Error(`gap fill for ${streamId}: the workflow has no v${next} yet`);
        out.push(...events);
        next = events[events.length - 1]!.version + 1;
      }
      return out;
    },
  };
}
