/**
 * Shared set-up of the fault-injection suite: the local stack in this process (Azurite and Cosmos as
 * child processes, so a host crash loses nothing), the function app in a devhost child process, and
 * the stores a user would look at to judge the result.
 */
import { cancelWhenPolling, progress, sleep, type DemoItem } from '../../localdev/demo/demoRun';
import { startProcessStack, type ProcessStack, type ProcessStackOptions } from '../../localdev/demo/processStack';

/** Full sizes with RELIABILITY_FULL=1 (npm run test:reliability); the short form otherwise. */
export const FULL = process.env.RELIABILITY_FULL === '1';
/** RELIABILITY_<NAME> overrides a size; otherwise the full or the short figure. */
export function size(full: number, short: number, name?: string): number {
  const override = name ? process.env[`RELIABILITY_${name}`] : undefined;
  if (override !== undefined) {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 0) throw new Error(`RELIABILITY_${name} must be a whole number, got '${override}'`);
    return n;
  }
  return FULL ? full : short;
}

export type Rig = ProcessStack;

/** Timings for fault runs: short deadlines and retries so every scenario ends in seconds. */
export const FAST_TIMINGS: Record<string, string> = {
  // A FailCanRetry item's three attempts wait 7.5 s of poll timers (test/replay pins that schedule); the rest
  // is the real latency of 14 activities and ~31 orchestrator episodes (more with retries), which on 2 shared
  // cores (load ~13) took up to 24 s at 30% 503s. The short form's 40 s leaves room for that; full runs
  // queue more items, so 60 s.
  WORKFLOW_DEADLINE_SECONDS: FULL ? '60' : '40',
  WORKFLOW_STEP_RETRY_FIRST_MS: '300',
  WORKFLOW_STEP_RETRY_MAX_ATTEMPTS: '8',
  WORKFLOW_PUBLISH_RETRY_FIRST_MS: '500',
  WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS: '40',
};

export function startRig(opts: ProcessStackOptions = {}): Promise<Rig> {
  return startProcessStack({ ...opts, settings: { ...FAST_TIMINGS, ...opts.settings } });
}

/** Where each unfinished item stands: its view, its orchestration and its events, for the failure message. */
async function stuckItems(rig: Rig, items: DemoItem[]): Promise<string> {
  const lines: string[] = [];
  for (const item of items) {
    if (item.expected === 'Quarantined') continue;
    const view = await rig.services.projection.get(item.id).catch(() => undefined);
    if (view?.stage === 'Completed' || view?.stage === 'NeedsIntervention') continue;
    const instance = await fetch(
      `${rig.host.url}/runtime/webhooks/durabletask/instances/${item.id}?showHistory=false${rig.host.masterKey ? `&code=${rig.host.masterKey}` : ''}`,
    )
      .then(async (r) => (await r.text()).slice(0, 1500))
      .catch((e: unknown) => String(e));
    const page = await rig.services.eventStore.readStream(item.id, { maxCount: 200 }).catch(() => ({ items: [] }));
    lines.push(
      `${item.id} (${item.scenario}${item.cancel ? ', cancel' : ''}): view ${view ? `${view.stage} v${view.version}` : 'none'}; events ${page.items.map((e) => e.type).join(',')}; instance ${instance}`,
    );
  }
  return lines.join('\n');
}

/** Waits until every item is terminal; on timeout the error says where each item stands. */
export async function waitTerminal(
  rig: Rig,
  items: DemoItem[],
  timeoutMs: number,
  onTick?: (terminal: number) => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(items, rig.services, rig.table);
    if (p.terminal === p.total) return;
    if (Date.now() > deadline) {
      throw new Error(
        `only ${p.terminal}/${p.total} items terminal after ${timeoutMs} ms: ${JSON.stringify(p.byStage)}\n${await stuckItems(rig, items)}\nhost output tail:\n${rig.host.output().slice(-3000)}`,
      );
    }
    await onTick?.(p.terminal);
    await sleep(500);
  }
}

/** A readable assertion message: the first problems, one a line. */
export function problemsText(problems: string[]): string {
  return problems.length === 0 ? '' : `${problems.length} problem(s):\n  ${problems.slice(0, 40).join('\n  ')}`;
}

/** cancelWhenPolling, retried while the host is down (a crash mid-loop is part of the scenario). */
export async function cancelThroughCrashes(items: DemoItem[], rig: Rig): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await cancelWhenPolling(items, rig.host.url);
      return;
    } catch (e) {
      if (attempt > 120) throw e;
      await sleep(500);
    }
  }
}
