/**
 * The table store's in-process wake: the messages this process wrote and has not seen go, so the
 * scheduler starts their work from memory instead of scanning the table after every work item. It
 * is a hint only. Another process on the same task hub may consume or replace a message meanwhile,
 * so an episode reads its instance's messages from the table (readInstanceWork) and an
 * activity is leased with the ETag of the write (a changed row fails with 412 and is decided on a
 * fresh read). Whatever the hint misses (other processes' writes, expired leases, a crash between
 * write and wake) the regular scan finds.
 */
import { DueIndex } from './dueIndex';
import type { ActivityMessage, Message, WrittenWork } from './types';

interface Entry {
  pk: string;
  rowKey: string;
  id: string;
  instanceId: string;
  dueAt: number;
  seq: number;
  /** The store's logical tick when the write finished (see reconcile). */
  at: number;
  /** The message itself, for an activity, with the ETag of the write. */
  activity?: ActivityMessage;
}

/** Partitions remembered; the oldest is forgotten beyond this (the scan still finds its messages). */
const PARTITIONS = 20_000;

export class WrittenMessages {
  private readonly byPartition = new Map<string, Map<string, Entry>>();
  private readonly due = new DueIndex<Entry>((e) => this.byPartition.get(e.pk)?.get(e.rowKey) === e);

  add(pk: string, rowKey: string, message: Message, at: number, etag: string | undefined): void {
    let entries = this.byPartition.get(pk);
    if (!entries) {
      entries = new Map();
      this.byPartition.set(pk, entries);
      if (this.byPartition.size > PARTITIONS) this.byPartition.delete(this.byPartition.keys().next().value as string);
    }
    const { id, instanceId, dueAt, seq } = message;
    const entry: Entry = { pk, rowKey, id, instanceId, dueAt, seq, at };
    if (message.kind === 'activity') entry.activity = { ...message, etag };
    entries.set(rowKey, entry);
    this.due.add(entry);
  }

  forget(pk: string, rowKeys: Iterable<string>): void {
    const entries = this.byPartition.get(pk);
    if (!entries) return;
    for (const rk of rowKeys) entries.delete(rk);
    if (entries.size === 0) this.byPartition.delete(pk);
  }

  forgetPartition(pk: string): void {
    this.byPartition.delete(pk);
  }

  /**
   * After a read of the partition's due messages that began at tick `began`: forget the due ones
   * written before it that the read did not find (consumed or moved by another process).
   */
  reconcile(pk: string, now: number, began: number, present: ReadonlySet<string>): void {
    const entries = this.byPartition.get(pk);
    if (!entries) return;
    const gone = [...entries.values()].filter((e) => e.dueAt <= now && e.at < began && !present.has(e.rowKey));
    this.forget(
      pk,
      gone.map((e) => e.rowKey),
    );
  }

  /** Due work by `now`, in the order the table would deliver it, and when the next written message falls due. */
  work(now: number): WrittenWork {
    const instances = new Map<string, string[]>();
    const activities: ActivityMessage[] = [];
    for (const e of this.due.dueAt(now)) {
      const ids = instances.get(e.instanceId);
      if (e.activity) activities.push(e.activity);
      else if (ids) ids.push(e.id);
      else instances.set(e.instanceId, [e.id]);
    }
    return { instances, activities, nextDueAt: this.due.nextAfter(now) };
  }
}
