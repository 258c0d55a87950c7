/**
 * In-memory task hub store: the test kit's and the default devhost's. Records are copied on the
 * way in and out so the engine cannot mutate stored state by accident; history arrays are shared
 * read-only (copying them every episode would double the replay cost).
 *
 * Messages are indexed by due time, so finding due work costs what is due, not what is pending:
 * with 10,000 instances each waiting on a timer, scanning every message on every look made the
 * CPU per instance grow with the number in flight (bench --scale).
 */
import type { HistoryEvent } from '../history';
import { DueIndex } from './dueIndex';
import type { ActivityMessage, EpisodeCommit, InstanceRecord, Message, TaskHubStore } from './types';

interface Partition {
  record: InstanceRecord;
  history: HistoryEvent[];
  messages: Map<string, Message>;
}

export function createMemoryStore(): TaskHubStore {
  const partitions = new Map<string, Partition>();
  const due = new DueIndex<Message>((m) => partitions.get(m.instanceId)?.messages.get(m.id) === m);
  let etagCounter = 0;
  const nextEtag = (): string => String(++etagCounter);
  const copy = <T>(v: T): T => structuredClone(v);

  function partitionFor(instanceId: string): Partition | undefined {
    return partitions.get(instanceId);
  }

  function upsertMessages(messages: Message[]): void {
    for (const m of messages) {
      const p = partitionFor(m.instanceId);
      if (!p) continue; // messages for an instance that does not exist (purged) vanish
      const stored = copy(m);
      p.messages.set(m.id, stored);
      due.add(stored);
    }
  }

  return {
    async getInstance(instanceId) {
      const p = partitionFor(instanceId);
      return p ? copy(p.record) : undefined;
    },
    async listInstances() {
      return [...partitions.values()].map((p) => copy(p.record));
    },
    async loadHistory(instanceId, executionId) {
      const p = partitionFor(instanceId);
      if (!p || p.record.executionId !== executionId) return [];
      return p.history;
    },
    async commitEpisode(commit: EpisodeCommit) {
      const p = partitionFor(commit.instance.instanceId);
      if (!p || p.record.etag !== commit.instance.etag) return false;
      upsertMessages(commit.send);
      p.record = { ...copy(commit.instance), etag: nextEtag() };
      // A fresh array rather than push: callers may still hold the previous one while replaying.
      p.history = commit.replaceHistory ? [...commit.append] : p.history.concat(commit.append);
      for (const id of commit.consumed) p.messages.delete(id);
      return true;
    },
    async putInstance(instance, messages, replaceHistory) {
      const existing = partitionFor(instance.instanceId);
      if (existing && existing.record.etag !== instance.etag) return false;
      if (!existing && instance.etag !== undefined) return false;
      const p: Partition = existing ?? { record: instance, history: [], messages: new Map() };
      p.record = { ...copy(instance), etag: nextEtag() };
      if (replaceHistory) p.history = [];
      partitions.set(instance.instanceId, p);
      upsertMessages(messages);
      return true;
    },
    async putMessages(messages) {
      upsertMessages(messages);
    },
    async dueMessages(now, limit = Infinity) {
      return due.dueAt(now).slice(0, limit).map(copy);
    },
    async nextDueAt(now) {
      return due.nextAfter(now);
    },
    async leaseActivity(message: ActivityMessage, owner, until) {
      const stored = partitionFor(message.instanceId)?.messages.get(message.id);
      if (!stored || stored.kind !== 'activity') return false;
      if (stored.leaseOwner && stored.leaseOwner !== owner && (stored.leaseUntil ?? 0) > Date.now()) return false;
      stored.leaseOwner = owner;
      stored.leaseUntil = until;
      return true;
    },
    async deleteMessage(instanceId, messageId) {
      partitionFor(instanceId)?.messages.delete(messageId);
    },
    async dropMessages(instanceId, keepExecutionId) {
      const p = partitionFor(instanceId);
      if (!p) return;
      for (const [id, m] of p.messages) {
        const keep =
          keepExecutionId !== undefined && (m.executionId === undefined || m.executionId === keepExecutionId);
        if (!keep) p.messages.delete(id);
      }
    },
    async purge(instanceId) {
      return partitions.delete(instanceId);
    },
  };
}
