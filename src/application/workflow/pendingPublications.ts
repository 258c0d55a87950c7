/**
 * The orchestrator's side of the publishing guarantee: versions a step stored but could not publish,
 * and the `publishEvents` activity that sends them. Publishing never holds the saga up: one attempt
 * runs in the background of each poll wait, so the waits' durable timers pace the retries, and what
 * is still pending is carried across continueAsNew; only the final flush waits, with the hours-long
 * publish policy. A failed publication never compensates: the events are stored, the request only
 * reports them as pending.
 *
 * Replay rules this follows:
 * - A background attempt is a plain activity, never a retrying one. In Azure the extension replays
 *   the poll wait's Task.any past its cancelled timer at once, before a retry's timer and next
 *   attempt have taken their sequence numbers; DTFx then finds the next action at the number
 *   history gave the retry timer and fails the instance as non-deterministic. A plain activity
 *   takes its one number when it is created, as the SDK expects.
 * - A task the SDK has scheduled must never go into a second Task.any (the SDK would schedule it
 *   again under a new sequence number). So a background attempt is raced only in the wait that
 *   started it, and otherwise only looked at, or awaited on its own.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type { CarriedState, PublishInput } from './contracts';
import type { TraceContext } from './trace';
import type { RetryPolicies } from './retryPolicies';
import { scheduleStep, scheduleStepOnce } from './stepCalls';

export class PendingPublications {
  private readonly versions: number[] = [];
  private failure: string | undefined;
  private running: { task: Task; versions: number[] } | undefined;

  constructor(
    private readonly context: OrchestrationContext,
    private readonly requestId: string,
    private readonly retry: RetryPolicies,
    private readonly trace?: TraceContext,
  ) {}

  private input(versions: number[]): PublishInput {
    return { requestId: this.requestId, versions, ...(this.trace ? { trace: this.trace } : {}) };
  }

  get count(): number {
    return this.versions.length;
  }

  /** Why the last publication failed, while something is still pending. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  add(versions: number[]): void {
    this.versions.push(...versions);
  }

  /** Takes over what an earlier execution could not publish. */
  takeOver(carried: Pick<CarriedState, 'unpublished' | 'publishFailure'>): void {
    this.add(carried.unpublished ?? []);
    this.failure = carried.publishFailure;
  }

  /** What the next execution takes over (nothing when all is out). */
  handOver(): Pick<CarriedState, 'unpublished' | 'publishFailure'> {
    this.settle();
    return this.versions.length > 0 ? { unpublished: [...this.versions], publishFailure: this.failure } : {};
  }

  /** Starts one attempt at what is pending unless one is still running; returns only a new one. */
  startInBackground(): Task | undefined {
    this.settle();
    if (this.running || this.versions.length === 0) return undefined;
    const versions = [...this.versions];
    this.running = { versions, task: scheduleStepOnce(this.context, 'publishEvents', this.input(versions)) };
    return this.running.task;
  }

  /**
   * Lets a running attempt finish, so nothing is open when the execution continues as new (DTFx
   * would hold the continueAsNew until it finished anyway) and its answer is booked, not repeated.
   */
  *finishRunning(): Generator<Task, void, unknown> {
    if (!this.running) return;
    try {
      yield this.running.task;
    } catch {
      // Booked by settle(); the versions stay pending.
    }
    this.settle();
  }

  /** Books the background publication once it has an answer; one still running stays pending. */
  settle(): void {
    const r = this.running;
    if (!r || !(r.task.isCompleted || r.task.isFaulted)) return;
    if (r.task.isFaulted) {
      this.failure = firstLine(r.task.result);
    } else {
      const done = new Set(r.versions);
      this.versions.splice(0, this.versions.length, ...this.versions.filter((v) => !done.has(v)));
      this.failure = undefined;
    }
    this.running = undefined;
  }

  /** The last chance to publish: waits for a running attempt, then retries the rest for hours. */
  *flush(): Generator<Task, void, unknown> {
    yield* this.finishRunning();
    if (this.versions.length === 0) return;
    try {
      yield scheduleStep(this.context, 'publishEvents', this.retry.publish, this.input([...this.versions]));
      this.versions.length = 0;
      this.failure = undefined;
    } catch (e) {
      // Out of retries: the business outcome stands; the request is flagged for an operator.
      this.failure = firstLine(e);
    }
  }

  /** The versions still pending, for the orchestration's output. */
  pending(): number[] {
    return [...this.versions];
  }
}

function firstLine(e: unknown): string {
  const [first = ''] = (e instanceof Error ? e.message : String(e)).split('\n');
  return first;
}
