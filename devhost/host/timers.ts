/**
 * Timer triggers on NCRONTAB schedules.
 *
 * `useMonitor` is honoured only in memory: the devhost keeps no schedule status between runs of the
 * process, so occurrences missed while it was down are not caught up (as with useMonitor:false on
 * Azure). `ScheduleStatus` is sent unless useMonitor is false; `Last` is this process's previous
 * occurrence (DateTime.MinValue text before the first). `IsPastDue` is true when an occurrence fires
 * more than a second late (a blocked event loop). A run never overlaps itself: an occurrence that
 * comes while the previous run is still going is skipped with a warning, as the host's listener does.
 */
import type { Registration } from '../functions/types';
import { substituteSettings } from './hostConfig';
import type { FunctionInfo } from './loadApp';
import type { HostLog } from './log';
import { parseNcrontab, type CronSchedule } from './ncrontab';
import { runFunction } from './runFunction';

const MIN_DATE = '0001-01-01T00:00:00';
const LATE_MS = 1000;
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface TimerSchedulerOptions {
  functions: FunctionInfo[];
  registrations: Map<string, Registration>;
  durableClientData: () => unknown;
  functionTimeoutMs?: number;
  log: HostLog;
}

export interface TimerInfo {
  functionName: string;
  schedule: string;
  runOnStartup: boolean;
  useMonitor: boolean;
  /** Next planned occurrence, once started. */
  next?: Date;
}

export interface TimerScheduler {
  timers: TimerInfo[];
  start(): void;
  /** Stops scheduling and waits for runs in progress. */
  stop(): Promise<void>;
}

interface TimerState {
  info: TimerInfo;
  cron: CronSchedule;
  reg: Registration;
  usesDurableClient: boolean;
  handle?: NodeJS.Timeout;
  running?: Promise<void>;
  last?: Date;
}

export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const states: TimerState[] = options.functions
    .filter((f) => f.triggerType.toLowerCase() === 'timertrigger')
    .map((f) => {
      const raw = String(f.trigger.schedule ?? '');
      const where = `Timer function "${f.name}": schedule`;
      const schedule = substituteSettings(raw, process.env, where);
      let cron: CronSchedule;
      try {
        cron = parseNcrontab(schedule);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
      }
      return {
        info: {
          functionName: f.name,
          schedule,
          runOnStartup: f.trigger.runOnStartup === true,
          useMonitor: f.trigger.useMonitor !== false,
        },
        cron,
        reg: options.registrations.get(f.name) as Registration,
        usesDurableClient: f.usesDurableClient,
      };
    });
  let stopped = false;

  function arm(state: TimerState, after: Date): void {
    const next = state.cron.next(after);
    state.info.next = next;
    if (!next || stopped) return;
    const wait = (): void => {
      const delay = next.getTime() - Date.now();
      if (delay > MAX_DELAY_MS) {
        state.handle = setTimeout(wait, MAX_DELAY_MS);
        return;
      }
      state.handle = setTimeout(() => fire(state, next), Math.max(0, delay));
    };
    wait();
  }

  function fire(state: TimerState, scheduled: Date | undefined): void {
    if (stopped) return;
    const now = new Date();
    if (scheduled) arm(state, scheduled.getTime() > now.getTime() ? scheduled : now);
    if (state.running) {
      options.log(
        'warning',
        `Timer '${state.info.functionName}': skipped the occurrence at ${(scheduled ?? now).toISOString()} because the previous run is still in progress.`,
      );
      return;
    }
    const isPastDue = scheduled !== undefined && now.getTime() - scheduled.getTime() > LATE_MS;
    const payload = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: state.info.useMonitor
        ? {
            Last: state.last?.toISOString() ?? MIN_DATE,
            Next: state.info.next?.toISOString() ?? MIN_DATE,
            LastUpdated: now.toISOString(),
          }
        : null,
      IsPastDue: isPastDue,
    };
    state.last = scheduled ?? now;
    state.running = runFunction(state.reg, {
      trigger: { json: JSON.stringify(payload) },
      reason: scheduled ? `Timer fired at ${now.toISOString()}` : 'Timer fired on startup (runOnStartup)',
      durableClientData: state.usesDurableClient ? options.durableClientData() : undefined,
      timeoutMs: options.functionTimeoutMs,
      log: options.log,
    })
      .then(
        () => undefined,
        () => undefined, // runFunction already logged it; the schedule goes on.
      )
      .finally(() => {
        state.running = undefined;
      });
  }

  return {
    timers: states.map((s) => s.info),
    start() {
      for (const state of states) {
        arm(state, new Date());
        if (state.info.runOnStartup) fire(state, undefined);
      }
    },
    async stop() {
      stopped = true;
      for (const state of states) if (state.handle) clearTimeout(state.handle);
      await Promise.all(states.map((s) => s.running));
    },
  };
}
