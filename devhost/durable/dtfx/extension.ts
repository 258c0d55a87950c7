/**
 * The parts of the Durable extension's orchestration context the out-of-process shim calls
 * (Azure/azure-functions-durable-extension, src/WebJobs.Extensions.DurableTask/ContextImplementations/
 * DurableOrchestrationContext.cs), over DTFx's context: long timers split by the storage provider's
 * limits, external events buffered and handed out as the extension does, and retries through DTFx's
 * RetryInterceptor (Azure/durabletask, src/DurableTask.Core/RetryInterceptor.cs).
 */
import type { OrchestratorAction } from '../actions';
import { CancelToken, type OrchestrationContextModel } from './context';
import { ModelTask } from './task';

/** What the durability provider tells the SDK and the extension about timers (AzureStorageDurabilityProvider.cs). */
export interface TimerLimits {
  /** MaximumDelayTime: longer timers are split. */
  maximumMs: number;
  /** LongRunningTimerIntervalLength: the length of each part. */
  intervalMs: number;
}

/** Azure Storage: 6 days, 3-day intervals. */
export const AZURE_STORAGE_TIMERS: TimerLimits = { maximumMs: 6 * 86_400_000, intervalMs: 3 * 86_400_000 };

type RetryOptions = NonNullable<OrchestratorAction['retryOptions']> & { retryTimeoutInMilliseconds?: number };

export class ExtensionContextModel {
  /** One flag for the whole context, as in the extension: set by a long timer, cleared only when one finishes. */
  private isLongRunningTimer = false;
  /** Waiters per event name, newest first (the extension's stack), and events nobody waited for yet. */
  private readonly pendingEvents = new Map<string, ModelTask[]>();
  private readonly bufferedEvents = new Map<string, (string | undefined)[]>();
  /** What Azure does here that the app's author would not expect; the engine logs each once. */
  readonly warnings: string[] = [];

  constructor(
    readonly dtfx: OrchestrationContextModel,
    private readonly timers: TimerLimits,
  ) {}

  private now(): number {
    return this.dtfx.currentUtcDateTime.getTime();
  }

  /**
   * CreateTimer: a timer longer than the provider's maximum is a loop of interval timers, each
   * taking a new id when the previous one fires, until the current time reaches fireAt.
   */
  createTimer(fireAt: Date, token: CancelToken): ModelTask {
    const final = fireAt.getTime();
    let next = final;
    if (final - this.now() > this.timers.maximumMs) {
      this.isLongRunningTimer = true;
      next = this.now() + this.timers.intervalMs;
    }
    if (!this.isLongRunningTimer) {
      const timer = this.dtfx.createTimer(fireAt, token);
      const done = new ModelTask();
      timer.then(() => {
        if (timer.outcome === 'completed') this.isLongRunningTimer = false;
        done.trySet(timer.outcome!);
      });
      return done;
    }
    const done = new ModelTask();
    // The flag is still set by another long timer (running, or cancelled, which never clears it): this timer runs the loop too.
    const flagSetByAnother = final - this.now() <= this.timers.maximumMs;
    let parts = 0;
    const loop = (): void => {
      if (!(this.now() < final && !token.canceled)) {
        if (flagSetByAnother && parts === 0 && !token.canceled)
          this.warnings.push(
            `a timer due at ${fireAt.toISOString()} was created while a timer longer than ${this.timers.maximumMs / 86_400_000} days was running or after one was cancelled: ` +
              'the Durable extension completes it without scheduling it (its long-timer flag is still set, and a cancel never clears it: DurableOrchestrationContext.cs), so the durable-functions SDK waits for a TimerFired that never comes and the instance stays Running; the devhost does the same',
          );
        this.isLongRunningTimer = false;
        done.trySet('completed');
        return;
      }
      parts++;
      const part = this.dtfx.createTimer(new Date(next), token);
      part.then(() => {
        // A cancelled part throws out of the loop: the flag stays set.
        if (part.outcome !== 'completed') return void done.trySet(part.outcome!);
        const remaining = final - this.now();
        if (remaining <= 0) {
          this.isLongRunningTimer = false;
          return void done.trySet('completed');
        }
        next = this.now() + (remaining < this.timers.intervalMs ? remaining : this.timers.intervalMs);
        loop();
      });
    };
    loop();
    return done;
  }

  /** ThrowIfInvalidTimerLengthForStorageProvider, for schemas before V3 (no long timers there). */
  checkTimerLength(fireAt: Date): void {
    if (fireAt.getTime() - this.now() > this.timers.maximumMs) {
      throw new Error(
        `The Azure Storage provider supports a maximum of ${this.timers.maximumMs / 86_400_000} days for time-based delays (Parameter 'fireAt')`,
      );
    }
  }

  /** WaitForExternalEvent: a new waiter goes on top of the name's stack; a buffered event completes it at once. */
  waitForExternalEvent(name: string): ModelTask {
    const key = name.toLowerCase();
    const waiter = new ModelTask();
    const stack = this.pendingEvents.get(key) ?? [];
    stack.unshift(waiter);
    this.pendingEvents.set(key, stack);
    const queue = this.bufferedEvents.get(key);
    if (queue) {
      const input = queue.shift();
      if (queue.length === 0) this.bufferedEvents.delete(key);
      this.raiseEvent(name, input);
    }
    return waiter;
  }

  /** RaiseEvent: the newest waiter gets the event; with nobody waiting it is buffered, in order. */
  raiseEvent(name: string, input: string | undefined): void {
    const key = name.toLowerCase();
    const stack = this.pendingEvents.get(key);
    if (stack && stack.length > 0) {
      const waiter = stack.shift()!;
      if (stack.length === 0) this.pendingEvents.delete(key);
      waiter.trySet('completed');
      return;
    }
    const queue = this.bufferedEvents.get(key) ?? [];
    queue.push(input);
    this.bufferedEvents.set(key, queue);
  }

  /**
   * RetryInterceptor.Invoke: the retry timer and the next attempt take their ids only when the
   * failure, then the timer, are applied from history. After the last attempt, an immediate
   * "dummy timer for back-compat"; a zero delay (retry timeout passed) stops without a timer.
   */
  withRetry(options: RetryOptions, call: () => ModelTask): ModelTask {
    // CallDurableTaskFunctionAsync: intervals the provider cannot delay fault the call before it is scheduled.
    const tooLong = (ms: number | undefined): boolean => ms !== undefined && ms > this.timers.maximumMs;
    if (tooLong(options.firstRetryIntervalInMilliseconds) || tooLong(options.maxRetryIntervalInMilliseconds))
      return ModelTask.done('faulted');
    const result = new ModelTask();
    const firstAttempt = this.now();
    const attempt = (retryCount: number): void => {
      if (retryCount >= options.maxNumberOfAttempts)
        return void result.trySet(retryCount === 0 ? 'completed' : 'faulted');
      const task = call();
      task.then(() => {
        if (task.outcome === 'completed') return void result.trySet('completed');
        const last = retryCount + 1 === options.maxNumberOfAttempts;
        const delay = last ? 0 : nextDelay(options, retryCount, firstAttempt, this.now());
        if (!last && delay === 0) return void result.trySet('faulted');
        const timer = this.dtfx.createTimer(new Date(this.now() + delay));
        timer.then(() => (last ? result.trySet('faulted') : attempt(retryCount + 1)));
      });
    };
    attempt(0);
    return result;
  }
}

/** RetryInterceptor.ComputeNextDelay with the extension's RetryOptions defaults (RetryOptions.cs: 6-day max interval). */
function nextDelay(o: RetryOptions, retryCount: number, firstAttempt: number, now: number): number {
  const timeout = o.retryTimeoutInMilliseconds;
  if (timeout !== undefined && now >= firstAttempt + timeout) return 0;
  const raw = o.firstRetryIntervalInMilliseconds * Math.pow(o.backoffCoefficient ?? 1, retryCount);
  const max = o.maxRetryIntervalInMilliseconds ?? 6 * 86_400_000;
  return raw < max ? raw : max;
}
