/**
 * Task-hub requests per workflow in one run, the same end-to-end workload three times, each in its
 * own process, with everything else identical:
 * - before: the store reads the record before every use and the scheduler scans on every look
 *   (reuseReads: false, wake: false);
 * - wake off: reads reused, the scheduler still scans on every look (wake: false);
 * - wake on: the default store, whose scheduler starts the work for messages this process wrote
 *   from memory and scans once a poll interval.
 */
import { endToEndInChild } from './child';
import { round, type EndToEnd } from './endToEnd';

export interface TaskHubSide {
  items: number;
  itemsPerSecond: number;
  latencyMs: { p50: number; p95: number };
  reads: number;
  writes: number;
  /** Scans of the task hub for due messages (store.dueMessages) per workflow. */
  scans: number;
  episodesPerWorkflow: number;
  storeOpsPerWorkflow: Record<string, number>;
}

export interface TaskHubReads {
  before: TaskHubSide;
  wakeOff: TaskHubSide;
  wakeOn: TaskHubSide;
  /** wake off / before: the read reuse. */
  reuse: { reads: number; writes: number };
  /** wake on / wake off: the in-process wake. */
  wake: { reads: number; writes: number; scans: number; itemsPerSecond: number; latencyP50: number };
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
    latencyMs: { p50: e.latencyMs.p50, p95: e.latencyMs.p95 },
    ...taskHubCounts(e),
    scans: e.storeOpsPerWorkflow.dueMessages ?? 0,
    episodesPerWorkflow: e.engine.episodesPerWorkflow,
    storeOpsPerWorkflow: e.storeOpsPerWorkflow,
  };
}

const ratio = (a: number, b: number): number => round(a / b, 2);

/** Each side in its own process, one after the other, so all see the same servers and machine. */
export async function taskHubReads(items: number): Promise<TaskHubReads> {
  console.log(`task hub before (record read before every use, scan on every look), ${items} items...`);
  const before = side(await endToEndInChild(items, { reuseReads: false, wake: false, floor: false }));
  console.log(`task hub wake off (reads reused, scan on every look), ${items} items...`);
  const wakeOff = side(await endToEndInChild(items, { wake: false, floor: false }));
  console.log(`task hub wake on (the default), ${items} items...`);
  const wakeOn = side(await endToEndInChild(items, { floor: false }));
  return {
    before,
    wakeOff,
    wakeOn,
    reuse: { reads: ratio(wakeOff.reads, before.reads), writes: ratio(wakeOff.writes, before.writes) },
    wake: {
      reads: ratio(wakeOn.reads, wakeOff.reads),
      writes: ratio(wakeOn.writes, wakeOff.writes),
      scans: ratio(wakeOn.scans, wakeOff.scans),
      itemsPerSecond: ratio(wakeOn.itemsPerSecond, wakeOff.itemsPerSecond),
      latencyP50: ratio(wakeOn.latencyMs.p50, wakeOff.latencyMs.p50),
    },
  };
}

export function taskHubRows(t: TaskHubReads): [string, string, string][] {
  const row = (name: string, s: TaskHubSide): [string, string, string] => [
    `task hub ${name}: reads / writes / scans per workflow`,
    `${s.reads} / ${s.writes} / ${s.scans}`,
    `${s.items} items, ${s.itemsPerSecond} items/s, latency p50 ${s.latencyMs.p50} ms p95 ${s.latencyMs.p95} ms, ${s.episodesPerWorkflow} episodes per workflow`,
  ];
  const w = t.wake;
  return [
    row('before (record read before every use, scan on every look)', t.before),
    row('wake off (reads reused, scan on every look)', t.wakeOff),
    row('wake on (in-process wake, scan once a poll interval)', t.wakeOn),
    ['task hub wake off / before (same run)', `reads ×${t.reuse.reads}, writes ×${t.reuse.writes}`, ''],
    [
      'task hub wake on / wake off (same run)',
      `reads ×${w.reads}, writes ×${w.writes}, scans ×${w.scans}`,
      `items/s ×${w.itemsPerSecond}, latency p50 ×${w.latencyP50}`,
    ],
  ];
}
