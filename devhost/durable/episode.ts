/**
 * One episode of one instance: consume a batch of messages, replay the orchestrator over its
 * history plus the batch, and describe the resulting state change as an EpisodeCommit
 * (docs/DURABLE_PROTOCOL.md §7). Touches no store; the engine persists the outcome.
 */
import { randomUUID } from 'node:crypto';
import type { Registration } from '../functions/types';
import { flattenActions } from './actions';
import { decideEpisode } from './dtfx';
import { applyActions, startMessage } from './applyActions';
import { planBatch, TERMINAL } from './batch';
import { completedTaskId, EventType, historyEvent, indexHistory, type HistoryEvent } from './history';
import { invokeOrchestrator } from './invokeOrchestrator';
import { customStatusProblem } from './payloadLimits';
import type { EpisodeCommit, EventMessage, InstanceRecord, Message } from './store/types';

export interface EpisodeInput {
  record: InstanceRecord;
  history: readonly HistoryEvent[];
  messages: EventMessage[];
  now: Date;
  registrations: Map<string, Registration>;
  seq: () => number;
  onLog?: (level: string, category: string, message: string) => void;
}

export interface EpisodeOutcome {
  /** Undefined when nothing could be consumed yet (everything deferred). */
  commit?: EpisodeCommit;
  children: { record: InstanceRecord; start: EventMessage }[];
  /** Pending messages to drop after the commit: all of them, or all but the new execution's. */
  drop?: { keepExecutionId?: string };
  deleteMessages: string[];
  invoked: boolean;
  replayedEvents: number;
  orchestratorMs: number;
  /** Time spent in the replay model of the extension and DTFx (ms). */
  replayModelMs?: number;
  /** Something the operator should hear about once (the instance uses a feature the replay model does not cover). */
  warning?: string;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);
const parse = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));

export async function runEpisode(input: EpisodeInput): Promise<EpisodeOutcome> {
  const { now } = input;
  const record = structuredClone(input.record);
  const index = indexHistory(input.history);
  const batch = planBatch(record, index, input.history.length === 0, input.messages, now);
  const outcome: EpisodeOutcome = {
    children: [],
    deleteMessages: [],
    invoked: false,
    replayedEvents: 0,
    orchestratorMs: 0,
  };
  if (batch.consumed.length === 0) return outcome;
  const send: Message[] = [];
  const append: HistoryEvent[] = [];
  const commit: EpisodeCommit = { instance: record, append, consumed: batch.consumed, send };
  outcome.commit = commit;
  record.lastUpdatedTime = now.toISOString();
  if (TERMINAL.has(record.runtimeStatus)) return outcome;

  if (batch.terminate) {
    const reason = batch.terminate.event.Input;
    append.push(historyEvent(EventType.ExecutionTerminated, now, { Input: reason ?? '' }, -1));
    finish(record, 'Terminated', json(reason ?? ''), outcome, send, now, input.seq);
    return outcome;
  }
  for (const m of batch.control) {
    const suspend = m.event.EventType === EventType.ExecutionSuspended;
    append.push(historyEvent(m.event.EventType, now, { Reason: m.event.Reason ?? '' }));
    record.runtimeStatus = suspend ? 'Suspended' : 'Running';
  }
  if (batch.events.length === 0) return outcome;

  const reg = input.registrations.get(record.name);
  if (!reg) {
    finish(
      record,
      'Failed',
      json(`The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`),
      outcome,
      send,
      now,
      input.seq,
    );
    return outcome;
  }
  if (record.runtimeStatus === 'Pending') record.runtimeStatus = 'Running';
  const fresh = [historyEvent(EventType.OrchestratorStarted, now), ...batch.events];
  const history = input.history.length === 0 ? fresh : input.history.concat(fresh);
  const started = performance.now();
  const result = await invokeOrchestrator(
    reg,
    {
      instanceId: record.instanceId,
      parentInstanceId: record.parent?.instanceId,
      input: parse(record.input),
      history,
    },
    input.onLog,
  );
  outcome.invoked = true;
  outcome.orchestratorMs = performance.now() - started;
  outcome.replayedEvents = input.history.length + fresh.length;
  for (const e of fresh) {
    e.IsPlayed = true;
    append.push(e);
    const done = completedTaskId(e);
    if (done !== undefined) index.completed.add(done);
  }

  const state = result.state;
  const statusProblem = customStatusProblem(state?.customStatus);
  if (state?.customStatus !== undefined && !statusProblem) record.customStatus = json(state.customStatus);
  const actions = flattenActions(state?.actions ?? []);
  // The SDK's own view keeps its id bookkeeping current; Azure's verdict comes from the replay model.
  const sdkWork = applyActions({
    record,
    index,
    actions,
    allocating: batch.allocating,
    threw: !result.ok,
    now,
    seq: input.seq,
    registrations: input.registrations,
  });
  const modelStarted = performance.now();
  const decided = decideEpisode({ record, now, seq: input.seq, history, result, actions, sdkWork });
  outcome.replayModelMs = performance.now() - modelStarted;
  // The shim sets the custom status before it replays any action, and SetCustomStatus throws when it is too big.
  const { work, end, warning } = statusProblem
    ? {
        work: { events: [], send: [], children: [], canceledTimerMessages: [] },
        end: { status: 'Failed' as const, message: `Orchestrator function '${record.name}' failed: ${statusProblem}` },
        warning: undefined,
      }
    : decided;
  outcome.warning = warning;
  append.push(...work.events);
  append.push(historyEvent(EventType.OrchestratorCompleted, now));
  send.push(...work.send);
  outcome.children = work.children;
  outcome.deleteMessages = work.canceledTimerMessages;

  if (end?.status === 'Failed') {
    outcome.children = [];
    commit.send = send.filter((m) => m.kind === 'event' && m.instanceId !== record.instanceId);
    append.push(
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'Failed', Result: end.message }),
    );
    finish(record, 'Failed', json(end.message), outcome, commit.send, now, input.seq);
    return outcome;
  }
  if (end?.status === 'ContinuedAsNew') {
    record.executionId = randomUUID();
    record.input = json(end.input);
    record.hiddenIds = [];
    record.retries = {};
    record.canceledTimers = [];
    delete record.httpPolls;
    record.runtimeStatus = 'Running';
    commit.replaceHistory = true;
    commit.append = [];
    commit.send = [startMessage(record, now, input.seq()), ...carriedOver(record, end.carryover, now, input.seq)];
    outcome.children = [];
    outcome.drop = { keepExecutionId: record.executionId };
    return outcome;
  }
  if (end?.status === 'Completed') {
    append.push(
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'Completed', Result: json(end.output) }),
    );
    finish(record, 'Completed', json(end.output), outcome, send, now, input.seq);
  }
  return outcome;
}

/** Events raised after continueAsNew was decided start the next execution with it (DTFx carryover). */
function carriedOver(record: InstanceRecord, events: HistoryEvent[], now: Date, seq: () => number): EventMessage[] {
  return events.map((event, i) => ({
    kind: 'event',
    id: `carry-${record.executionId}-${i}`,
    instanceId: record.instanceId,
    executionId: record.executionId,
    dueAt: now.getTime(),
    seq: seq(),
    event: { ...event, IsPlayed: false },
  }));
}

/** Ends the instance: drop its pending work and tell a parent orchestration. */
function finish(
  record: InstanceRecord,
  status: 'Completed' | 'Failed' | 'Terminated',
  output: string,
  outcome: EpisodeOutcome,
  send: Message[],
  now: Date,
  seq: () => number,
): void {
  record.runtimeStatus = status;
  record.output = output;
  outcome.drop = {};
  const p = record.parent;
  if (!p) return;
  const event =
    status === 'Completed'
      ? historyEvent(EventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: p.taskId, Result: output })
      : historyEvent(EventType.SubOrchestrationInstanceFailed, now, {
          TaskScheduledId: p.taskId,
          Reason: String(JSON.parse(output)),
          Details: '',
        });
  send.push({
    kind: 'event',
    id: `sub-${p.executionId}-${p.taskId}`,
    instanceId: p.instanceId,
    executionId: p.executionId,
    dueAt: now.getTime(),
    seq: seq(),
    event,
  });
}
