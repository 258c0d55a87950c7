/**
 * The demo that `npm start` runs and the end-to-end test reuses: seed work items covering every
 * mock scenario (through the HTTP API and straight into the intake table), watch them progress,
 * and check the result the way a user would (streams, topic, intake rows, projection).
 */
import { TableClient } from '@azure/data-tables';
import type { StoredEvent } from '../../src/domain/events';
import { eventIdFor } from '../../src/domain/ids';
import type { Outcome } from '../../src/domain/status';
import type { Services } from '../../src/infrastructure/services';
import { readAll } from '../../src/application/ports';
import type { LocalTopic } from '@saga/devhost/localstack';

export interface DemoItem {
  id: string;
  scenario: string;
  expected: Outcome | 'Quarantined';
  /** How it enters: the HTTP API or a row written straight into the table. */
  via: 'api' | 'table';
  cancel?: boolean;
  /** A malformed table row (no valid payload). */
  malformed?: string;
}

export const SCENARIO_OUTCOMES: Record<string, { outcome: Outcome; attempts: number }> = {
  pass: { outcome: 'Pass', attempts: 1 },
  fail: { outcome: 'Fail', attempts: 1 },
  'failcanretry-then-pass': { outcome: 'Pass', attempts: 2 },
  failcanretry: { outcome: 'Fail', attempts: 3 },
  never: { outcome: 'TimedOut', attempts: 1 },
};

/** `count` items spread over every scenario, plus one cancelled and one malformed row. */
export function demoItems(count: number, prefix = 'demo'): DemoItem[] {
  const scenarios = Object.entries(SCENARIO_OUTCOMES);
  const items: DemoItem[] = [];
  for (let i = 0; i < count; i++) {
    const [scenario, { outcome }] = scenarios[i % scenarios.length]!;
    items.push({
      id: `${prefix}-${String(i + 1).padStart(4, '0')}-${scenario}`,
      scenario,
      expected: outcome,
      via: i % 2 === 0 ? 'api' : 'table',
    });
  }
  items.push({ id: `${prefix}-cancelled`, scenario: 'never', expected: 'Cancelled', via: 'api', cancel: true });
  items.push({
    id: `${prefix}-malformed`,
    scenario: 'pass',
    expected: 'Quarantined',
    via: 'table',
    malformed: '{not json',
  });
  return items;
}

export async function seed(items: DemoItem[], baseUrl: string, table: TableClient, key?: string): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(key ? { 'x-functions-key': key } : {}),
  };
  for (const item of items) {
    if (item.via === 'api') {
      const res = await fetch(`${baseUrl}/api/requests`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: item.id, payload: { scenario: item.scenario }, start: true }),
      });
      if (res.status !== 202)
        throw new Error(`POST /api/requests for ${item.id} answered ${res.status}: ${await res.text()}`);
    } else {
      await table.createEntity({
        partitionKey: 'demo',
        rowKey: item.id,
        Status: 'Unprocessed',
        Payload: item.malformed ?? JSON.stringify({ scenario: item.scenario }),
      });
    }
  }
}

/** Raises the operator cancel for items marked `cancel` once their workflow is polling. */
export async function cancelWhenPolling(items: DemoItem[], baseUrl: string, key?: string): Promise<void> {
  for (const item of items.filter((i) => i.cancel)) {
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${baseUrl}/api/requests/${item.id}`);
      if (res.ok) {
        const body = (await res.json()) as { orchestration?: { customStatus?: { stage?: string } } };
        if (body.orchestration?.customStatus?.stage === 'polling') break;
      }
      await sleep(100);
    }
    const res = await fetch(`${baseUrl}/api/requests/${item.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
      body: JSON.stringify({ reason: 'demo: cancelled by operator' }),
    });
    if (res.status !== 202) throw new Error(`cancel of ${item.id} answered ${res.status}: ${await res.text()}`);
  }
}

export interface Progress {
  byStage: Record<string, number>;
  terminal: number;
  total: number;
}

/** Counts by projection stage; quarantined rows count as terminal once the table says so. */
export async function progress(items: DemoItem[], services: Services, table: TableClient): Promise<Progress> {
  const byStage: Record<string, number> = {};
  let terminal = 0;
  for (const item of items) {
    let stage: string;
    if (item.expected === 'Quarantined') {
      const row = await table.getEntity<{ Status: string }>('demo', item.id).catch(() => undefined);
      stage = row?.Status === 'Quarantined' ? 'Quarantined' : 'Unprocessed';
      if (stage === 'Quarantined') terminal++;
    } else {
      const view = await services.projection.get(item.id);
      stage = view ? (view.stage === 'Completed' ? `Completed:${view.outcome}` : view.stage) : 'Waiting';
      if (view?.stage === 'Completed' || view?.stage === 'NeedsIntervention') terminal++;
    }
    byStage[stage] = (byStage[stage] ?? 0) + 1;
  }
  return { byStage, terminal, total: items.length };
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
  streams: number;
  events: number;
}

/** What a user would verify after the run. Every failed expectation is listed, not just the first. */
export async function selfCheck(
  items: DemoItem[],
  services: Services,
  table: TableClient,
  topic: LocalTopic,
  baseUrl: string,
): Promise<CheckResult> {
  const problems: string[] = [];
  const received = topic.eventsById();
  let events = 0;
  let streams = 0;
  for (const item of items) {
    const partition = item.via === 'api' ? 'api' : 'demo';
    const row = await table
      .getEntity<{ Status: string; QuarantineReason?: string }>(partition, item.id)
      .catch(() => undefined);
    if (item.expected === 'Quarantined') {
      if (row?.Status !== 'Quarantined' || !row.QuarantineReason)
        problems.push(`${item.id}: intake row should be Quarantined with a reason, is ${row?.Status}`);
      continue;
    }
    streams++;
    const stream = await readAll(services.eventStore, item.id);
    events += stream.length;
    problems.push(...checkStream(item, stream));
    for (const e of stream) {
      if (!received.has(e.eventId))
        problems.push(`${item.id}: event v${e.version} ${e.type} (${e.eventId}) never reached the topic`);
    }
    if (row?.Status !== item.expected)
      problems.push(`${item.id}: intake row Status is ${row?.Status}, expected ${item.expected}`);
    const view = await services.projection.get(item.id);
    if (!view || view.version !== stream.length || view.outcome !== item.expected) {
      problems.push(
        `${item.id}: projection (v${view?.version}, ${view?.outcome}) disagrees with the stream (v${stream.length}, ${item.expected})`,
      );
    }
    const res = await fetch(`${baseUrl}/api/requests/${item.id}`);
    const body = (await res.json()) as { orchestration?: { runtimeStatus?: string; output?: { outcome?: string } } };
    if (body.orchestration?.runtimeStatus !== 'Completed' || body.orchestration.output?.outcome !== item.expected) {
      problems.push(
        `${item.id}: orchestration is ${body.orchestration?.runtimeStatus} with outcome ${body.orchestration?.output?.outcome}, expected Completed/${item.expected}`,
      );
    }
  }
  // The projection must equal a rebuild from the event store.
  const before = new Map<string, string>();
  for (const item of items) before.set(item.id, JSON.stringify(comparable(await services.projection.get(item.id))));
  const rebuilt = await fetch(`${baseUrl}/api/projections/rebuild`, { method: 'POST' });
  if (rebuilt.status !== 200) problems.push(`projection rebuild answered ${rebuilt.status}`);
  for (const item of items) {
    const after = JSON.stringify(comparable(await services.projection.get(item.id)));
    if (before.get(item.id) !== after)
      problems.push(`${item.id}: projection differs from its rebuild: ${before.get(item.id)} vs ${after}`);
  }
  return { ok: problems.length === 0, problems, streams, events };
}

/** The stream holds its expected events exactly once: contiguous versions, deterministic ids, the right shape. */
export function checkStream(item: DemoItem, stream: StoredEvent[]): string[] {
  const p: string[] = [];
  const types = stream.map((e) => e.type);
  stream.forEach((e, i) => {
    if (e.version !== i + 1) p.push(`${item.id}: version gap at position ${i + 1} (found v${e.version})`);
    if (e.eventId !== eventIdFor(item.id, e.version)) p.push(`${item.id}: v${e.version} has a non-deterministic id`);
  });
  const count = (t: string): number => types.filter((x) => x === t).length;
  if (types[0] !== 'RequestDiscovered' || count('RequestDiscovered') !== 1)
    p.push(`${item.id}: expected exactly one RequestDiscovered first, got ${types.join(',')}`);
  const last = stream[stream.length - 1];
  if (
    last?.type !== 'RequestCompleted' ||
    count('RequestCompleted') !== 1 ||
    (last.data as { outcome?: string }).outcome !== item.expected
  ) {
    p.push(`${item.id}: expected one RequestCompleted(${item.expected}) last, got ${types.join(',')}`);
  }
  const attempts = item.cancel ? 1 : SCENARIO_OUTCOMES[item.scenario]?.attempts;
  if (attempts !== undefined && (count('JobSubmitted') !== attempts || count('SubmissionPrepared') !== attempts)) {
    p.push(
      `${item.id}: expected ${attempts} prepared+submitted attempt(s), got ${count('SubmissionPrepared')}/${count('JobSubmitted')}`,
    );
  }
  if ((item.expected === 'TimedOut' || item.expected === 'Cancelled') && count('JobCancelled') !== 1)
    p.push(`${item.id}: expected one JobCancelled (compensation), got ${count('JobCancelled')}`);
  if ((item.expected === 'Pass' || item.expected === 'Fail') && count('JobTerminal') !== 1)
    p.push(`${item.id}: expected one JobTerminal, got ${count('JobTerminal')}`);
  return p;
}

function comparable(view: unknown): unknown {
  if (!view || typeof view !== 'object') return view;
  const { updatedAt: _u, createdAt: _c, ...rest } = view as Record<string, unknown>;
  void _u;
  void _c;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('_')));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
