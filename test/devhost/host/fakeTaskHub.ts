/**
 * A small in-memory TaskHubApi for the host tests: it records what the HTTP layer asks for and lets
 * a test set instance states, without running orchestrations (that is the engine's job, tested there).
 */
import { randomUUID } from 'node:crypto';
import {
  InstanceExistsError,
  InstanceNotFoundError,
  type InstanceStatus,
  type ListFilter,
  type OperationResult,
  type RuntimeStatus,
  type StartOptions,
  type TaskHubApi,
} from '@saga/devhost/engine';

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export class FakeTaskHub implements TaskHubApi {
  readonly instances = new Map<string, InstanceStatus>();
  readonly events: { instanceId: string; name: string; data: unknown }[] = [];
  started = false;
  stopped = false;
  private clock = Date.parse('2024-05-01T10:00:00.000Z');

  constructor(
    readonly taskHubName: string,
    private readonly names: string[],
  ) {}

  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  orchestratorNames(): string[] {
    return this.names;
  }

  async startNew(name: string, options: StartOptions): Promise<string> {
    const id = options.instanceId ?? randomUUID().replace(/-/g, '');
    const existing = this.instances.get(id);
    if (existing && !TERMINAL.includes(existing.runtimeStatus))
      throw new InstanceExistsError(id, existing.runtimeStatus);
    const now = this.tick();
    this.instances.set(id, {
      name,
      instanceId: id,
      runtimeStatus: 'Running',
      input: options.input,
      customStatus: undefined,
      output: undefined,
      createdTime: now,
      lastUpdatedTime: now,
    });
    return id;
  }

  async getStatus(
    id: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): Promise<InstanceStatus | undefined> {
    const s = this.instances.get(id);
    if (!s) return undefined;
    return {
      ...s,
      input: options.showInput === false ? undefined : s.input,
      ...(options.showHistory
        ? { historyEvents: [{ EventType: 'ExecutionStarted', FunctionName: s.name, Timestamp: s.createdTime }] }
        : {}),
    };
  }

  async list(filter: ListFilter): Promise<{ items: InstanceStatus[]; continuationToken?: string }> {
    const all = [...this.instances.values()]
      .filter((s) => !filter.runtimeStatus || filter.runtimeStatus.includes(s.runtimeStatus))
      .filter((s) => !filter.instanceIdPrefix || s.instanceId.startsWith(filter.instanceIdPrefix))
      .filter((s) => !filter.createdTimeFrom || s.createdTime >= filter.createdTimeFrom)
      .filter((s) => !filter.createdTimeTo || s.createdTime <= filter.createdTimeTo)
      .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
    const offset = Number(filter.continuationToken ?? 0);
    const top = filter.top ?? 100;
    const items = all
      .slice(offset, offset + top)
      .map((s) => ({ ...s, input: filter.showInput === false ? undefined : s.input }));
    return { items, continuationToken: offset + top < all.length ? String(offset + top) : undefined };
  }

  async raiseEvent(id: string, name: string, data: unknown): Promise<OperationResult> {
    const s = this.instances.get(id);
    if (!s) return 'notFound';
    if (TERMINAL.includes(s.runtimeStatus)) return 'gone';
    this.events.push({ instanceId: id, name, data });
    return 'accepted';
  }

  async terminate(id: string, reason?: string): Promise<OperationResult> {
    return this.transition(id, () => true, 'Terminated', reason);
  }

  async suspend(id: string): Promise<OperationResult> {
    return this.transition(id, (s) => s === 'Running', 'Suspended');
  }

  async resume(id: string): Promise<OperationResult> {
    return this.transition(id, (s) => s === 'Suspended', 'Running');
  }

  async rewind(): Promise<'notSupported'> {
    return 'notSupported';
  }

  async restart(id: string, options: { newInstanceId: boolean }): Promise<string> {
    const s = this.instances.get(id);
    if (!s) throw new InstanceNotFoundError(id);
    return this.startNew(s.name, { instanceId: options.newInstanceId ? undefined : id, input: s.input });
  }

  async purge(id: string): Promise<number> {
    return this.instances.delete(id) ? 1 : 0;
  }

  async purgeBy(filter: {
    createdTimeFrom: string;
    createdTimeTo?: string;
    runtimeStatus?: RuntimeStatus[];
  }): Promise<number> {
    let n = 0;
    for (const s of [...this.instances.values()]) {
      if (s.createdTime < filter.createdTimeFrom) continue;
      if (filter.createdTimeTo && s.createdTime > filter.createdTimeTo) continue;
      if (filter.runtimeStatus && !filter.runtimeStatus.includes(s.runtimeStatus)) continue;
      this.instances.delete(s.instanceId);
      n++;
    }
    return n;
  }

  /** Test control: moves an instance to a final state. */
  finish(id: string, runtimeStatus: RuntimeStatus, output: unknown): void {
    const s = this.instances.get(id);
    if (!s) throw new Error(`no instance ${id}`);
    Object.assign(s, { runtimeStatus, output, lastUpdatedTime: this.tick() });
  }

  private transition(
    id: string,
    allowed: (s: RuntimeStatus) => boolean,
    to: RuntimeStatus,
    output?: unknown,
  ): OperationResult {
    const s = this.instances.get(id);
    if (!s) return 'notFound';
    if (TERMINAL.includes(s.runtimeStatus)) return 'gone';
    if (allowed(s.runtimeStatus))
      Object.assign(s, {
        runtimeStatus: to,
        lastUpdatedTime: this.tick(),
        ...(output !== undefined ? { output } : {}),
      });
    return 'accepted';
  }

  /** Distinct, increasing creation times with milliseconds, so formatting and ordering are visible. */
  private tick(): string {
    this.clock += 1234;
    return new Date(this.clock).toISOString();
  }
}
