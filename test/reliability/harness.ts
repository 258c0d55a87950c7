/**
 * Shared set-up of the fault-injection suite: the local stack in this process (Azurite and Cosmos as
 * child processes, so a host crash loses nothing), the function app in a devhost child process, and
 * the stores a user would look at to judge the result.
 */
import { cancelWhenPolling, progress, sleep, type DemoItem } from '../../devhost/demo/demoRun';
import { startProcessStack, type ProcessStack, type ProcessStackOptions } from '../../devhost/demo/processStack';

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
  // Full runs queue more items on 2 cores: a FailCanRetry item's three attempts need more than 20 s there.
  WORKFLOW_DEADLINE_SECONDS: FULL ? '60' : '20',
  WORKFLOW_STEP_RETRY_FIRST_MS: '300',
  WORKFLOW_STEP_RETRY_MAX_ATTEMPTS: '8',
  WORKFLOW_PUBLISH_RETRY_FIRST_MS: '500',
  WORKFLOW_PUBLISH_RETRY_MAX_ATTEMPTS: '40',
};

export function startRig(opts: ProcessStackOptions = {}): Promise<Rig> {
  return startProcessStack({ ...opts, settings: { ...FAST_TIMINGS, ...opts.settings } });
}

/** Waits until every item is terminal; on timeout the error says where each item stands. */
export async function waitTerminal(rig: Rig, items: DemoItem[], timeoutMs: number, onTick?: (terminal: number) => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(items, rig.services, rig.table);
    if (p.terminal === p.total) return;
    if (Date.now() > deadline) throw new Error(`only ${p.terminal}/${p.total} items terminal after ${timeoutMs} ms: ${JSON.stringify(p.byStage)}\nhost output tail:\n${rig.host.output().slice(-3000)}`);
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
