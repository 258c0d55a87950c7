/**
 * The orchestrator's side of the publishing guarantee: versions a step stored but could not publish,
 * and the `publishEvents` activity that sends them. Publishing never holds the saga up: it runs in
 * the background of a poll wait (step retry policy) and what is still pending is carried across
 * continueAsNew; only the final flush waits, with the hours-long publish policy. A failed publication
 * never compensates: the events are stored, the request only reports them as pending.
 *
 * Replay rule this follows: a task the SDK has scheduled must never go into a second Task.any (the
 * SDK would schedule it again under a new sequence number and replay would break). So a background
 * publication is waited on only in the wait that started it, and otherwise only looked at.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type { CarriedState, PublishInput } from './contracts';
import type { TraceContext } from './trace';
import type { RetryPolicies } from './retryPolicies';
import { scheduleStep } from './stepCalls';

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

  /** Starts publishing what is pending unless a publication is still running; returns only a new one. */
  startInBackground(): Task | undefined {
    this.settle();
    if (this.running || this.versions.length === 0) return undefined;
    const versions = [...this.versions];
    this.running = { versions, task: scheduleStep(this.context, 'publishEvents', this.retry.step, this.input(versions)) };
    return this.running.task;
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

  /** The last chance to publish: waits for a running publication, then retries the rest for hours. */
  *flush(): Generator<Task, void, unknown> {
    if (this.running) {
      try {
        yield this.running.task;
      } catch {
        // Booked by settle(); the remainder is retried just below.
      }
      this.settle();
    }
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
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
