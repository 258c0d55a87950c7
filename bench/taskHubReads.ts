/**
 * Task-hub requests per workflow, before and after the store's read reuse, in one run: the same
 * end-to-end workload twice, first with a store that reads the record before every use
 * (reuseReads: false), then with the default store. Everything else is identical.
 */
import { endToEndInChild } from './child';
import { round, type EndToEnd } from './endToEnd';

export interface TaskHubSide {
  items: number;
  itemsPerSecond: number;
  reads: number;
  writes: number;
  episodesPerWorkflow: number;
  storeOpsPerWorkflow: Record<string, number>;
}

export interface TaskHubReads {
  before: TaskHubSide;
  after: TaskHubSide;
  readsRatio: number;
  writesRatio: number;
}

export function taskHubCounts(e: EndToEnd): { reads: number; writes: number } {
  const sum = (re: RegExp): number =>
    round(
      Object.entries(e.requestsPerWorkflow)
        .filter(([k]) => re.test(k))
        .reduce((a, [, v]) => a + v, 0),
      2,
    );
  return { reads: sum(/^tables taskhub .*\(read\)/), writes: sum(/^tables taskhub .*\(write\)/) };
}

function side(e: EndToEnd): TaskHubSide {
  return {
    items: e.items,
    itemsPerSecond: e.itemsPerSecond,
    ...taskHubCounts(e),
    episodesPerWorkflow: e.engine.episodesPerWorkflow,
    storeOpsPerWorkflow: e.storeOpsPerWorkflow,
  };
}

/** Each side in its own process, one after the other, so both see the same servers and machine. */
export async function taskHubReads(items: number): Promise<TaskHubReads> {
  console.log(`task hub before (record read before every use), ${items} items...`);
  const before = side(await endToEndInChild(items, { reuseReads: false, floor: false }));
  console.log(`task hub after (reads reused), ${items} items...`);
  const after = side(await endToEndInChild(items, { reuseReads: true, floor: false }));
  return {
    before,
    after,
    readsRatio: round(after.reads / before.reads, 2),
    writesRatio: round(after.writes / before.writes, 2),
  };
}

export function taskHubRows(t: TaskHubReads): [string, string, string][] {
  const row = (name: string, s: TaskHubSide): [string, string, string] => [
    `task hub ${name}: reads / writes per workflow`,
    `${s.reads} / ${s.writes}`,
    `${s.items} items, ${s.itemsPerSecond} items/s, ${s.episodesPerWorkflow} episodes per workflow`,
  ];
  return [
    row('before (record read before every use)', t.before),
    row('after (reads reused)', t.after),
    ['task hub after / before (same run)', `reads ×${t.readsRatio}, writes ×${t.writesRatio}`, ''],
  ];
}
