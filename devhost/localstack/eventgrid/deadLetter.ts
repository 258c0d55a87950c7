/**
 * Dead-lettering to a blob container in Azurite, in Event Grid's layout: one blob per event at
 * `<container>/<SUBSCRIPTION-NAME>/yyyy/m/d/h/<guid>.json` (subscription name upper-cased, date parts
 * unpadded, UTC), holding a JSON array with the event and Event Grid's dead-letter properties
 * (documented in "Set dead-letter location and retry policy").
 */
import { randomUUID } from 'node:crypto';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

export interface DeadLetterRecord {
  event: Record<string, unknown>;
  subscription: string;
  /** Why: e.g. "MaxDeliveryAttemptsExceeded", "TimeToLiveExceeded", "NonRetriableStatus". */
  reason: string;
  deliveryAttempts: number;
  /** The last attempt's outcome, e.g. "BadRequest", "Timeout", "Connection refused". */
  lastDeliveryOutcome: string;
  lastHttpStatusCode?: number;
  publishTime: Date;
  lastDeliveryAttemptTime: Date;
}

export interface DeadLetterSink {
  write(container: string, record: DeadLetterRecord): Promise<string>;
}

export function blobDeadLetterSink(connectionString: string): DeadLetterSink {
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const ready = new Map<string, Promise<ContainerClient>>();
  const containerFor = (name: string): Promise<ContainerClient> => {
    let p = ready.get(name);
    if (!p) {
      const client = service.getContainerClient(name);
      p = client.createIfNotExists().then(() => client);
      p.catch(() => ready.delete(name));
      ready.set(name, p);
    }
    return p;
  };
  return {
    async write(container, record) {
      const path = deadLetterBlobPath(record.subscription, record.lastDeliveryAttemptTime);
      const body = JSON.stringify([deadLetterEntry(record)]);
      const client = await containerFor(container);
      await client
        .getBlockBlobClient(path)
        .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
      return `${container}/${path}`;
    },
  };
}

export function deadLetterBlobPath(subscription: string, at: Date): string {
  return `${subscription.toUpperCase()}/${at.getUTCFullYear()}/${at.getUTCMonth() + 1}/${at.getUTCDate()}/${at.getUTCHours()}/${randomUUID()}.json`;
}

/** The event with Event Grid's dead-letter properties beside its attributes. */
export function deadLetterEntry(r: DeadLetterRecord): Record<string, unknown> {
  return {
    ...r.event,
    deadLetterReason: r.reason,
    deliveryAttempts: r.deliveryAttempts,
    lastDeliveryOutcome: r.lastDeliveryOutcome,
    publishTime: r.publishTime.toISOString(),
    lastDeliveryAttemptTime: r.lastDeliveryAttemptTime.toISOString(),
    ...(r.lastHttpStatusCode !== undefined ? { lastHttpStatusCode: r.lastHttpStatusCode } : {}),
  };
}

/** Reads every dead-letter entry in a container (for checks and the demo). */
export async function readDeadLetters(
  connectionString: string,
  container: string,
): Promise<{ path: string; entries: Record<string, unknown>[] }[]> {
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  if (!(await client.exists())) return [];
  const out: { path: string; entries: Record<string, unknown>[] }[] = [];
  for await (const blob of client.listBlobsFlat()) {
    const buf = await client.getBlobClient(blob.name).downloadToBuffer();
    out.push({ path: blob.name, entries: JSON.parse(buf.toString('utf8')) as Record<string, unknown>[] });
  }
  return out;
}
