/**
 * Rewind of a Failed instance: cut the history back to just before the episode that delivered
 * the first activity failure, and re-queue what that cut removed, so the orchestration goes on
 * from there and the failed activity runs again. Supported only when that is unambiguous: the
 * failure came from an activity (not a sub-orchestration or the orchestrator code itself) and the
 * execution used no …WithRetry call (their hidden ids cannot be rolled back). Otherwise the result
 * is 'notSupported' (HTTP 501).
 */
import type { OperationResult } from './api';
import { timerMessage } from './applyActions';
import { completedTaskId, EventType, indexHistory, type HistoryEvent } from './history';
import type { Message, TaskHubStore } from './store/types';

export async function rewindInstance(
  store: TaskHubStore,
  instanceId: string,
  now: Date,
  seq: () => number,
): Promise<OperationResult | 'notSupported'> {
  const record = await store.getInstance(instanceId);
  if (!record) return 'notFound';
  if (record.runtimeStatus !== 'Failed')
    return record.runtimeStatus === 'Running' ||
      record.runtimeStatus === 'Pending' ||
      record.runtimeStatus === 'Suspended'
      ? 'accepted'
      : 'gone';
  if (record.hiddenIds.length > 0) return 'notSupported';
  const history = await store.loadHistory(instanceId, record.executionId);
  const firstFailure = history.findIndex(
    (e) => e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed,
  );
  if (history[firstFailure]?.EventType !== EventType.TaskFailed) return 'notSupported';
  let cut = firstFailure;
  while (cut > 0 && history[cut]?.EventType !== EventType.OrchestratorStarted) cut--;
  const kept = history.slice(0, cut);
  const removed = history.slice(cut);
  const index = indexHistory(kept);
  const laterResults = new Map<number, HistoryEvent>();
  const raised: HistoryEvent[] = [];
  for (const e of removed) {
    const id = completedTaskId(e);
    if (
      id !== undefined &&
      e.EventType !== EventType.TaskFailed &&
      e.EventType !== EventType.SubOrchestrationInstanceFailed
    )
      laterResults.set(id, e);
    if (e.EventType === EventType.EventRaised) raised.push(e);
  }
  const send: Message[] = [];
  const base = { instanceId, executionId: record.executionId, dueAt: now.getTime() };
  for (const [id, scheduled] of index.scheduled) {
    if (index.completed.has(id)) continue;
    const result = laterResults.get(id);
    if (result)
      send.push({
        ...base,
        kind: 'event',
        id: `rewind-${record.executionId}-${id}`,
        seq: seq(),
        event: { ...result, IsPlayed: false },
      });
    else if (scheduled.EventType === EventType.TaskScheduled) {
      send.push({
        ...base,
        kind: 'activity',
        id: `act-${record.executionId}-${id}-rewind`,
        seq: seq(),
        taskId: id,
        name: String(scheduled.Name),
        input: String(scheduled.Input ?? 'null'),
      });
    } else if (scheduled.EventType === EventType.TimerCreated) {
      send.push(timerMessage(record, id, new Date(String(scheduled.FireAt)), seq()));
    } else return 'notSupported';
  }
  raised.forEach((e, i) =>
    send.push({
      instanceId,
      dueAt: now.getTime(),
      kind: 'event',
      id: `rewind-${record.executionId}-event-${i}`,
      seq: seq(),
      event: { ...e, IsPlayed: false },
    }),
  );
  const ok = await store.commitEpisode({
    instance: { ...record, runtimeStatus: 'Running', output: undefined, lastUpdatedTime: now.toISOString() },
    append: kept,
    replaceHistory: true,
    consumed: [],
    send,
  });
  return ok ? 'accepted' : 'notSupported';
}
