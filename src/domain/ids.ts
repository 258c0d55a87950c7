/**
 * Deterministic identifiers. Retries and replays must produce the same ids, so every id here is
 * derived from domain data, never random.
 */
import { DomainValidationError } from './errors';
import { sha1, utf8 } from './sha1';

/**
 * Namespace of event ids: UUIDv5 of the name "https://schemas.example.com/workflow/request-events"
 * in the RFC 9562 URL namespace. Fixed forever: changing it changes every event id.
 */
export const EVENT_ID_NAMESPACE = '77eca66a-7e3b-57e3-9f37-6a431455ff77';

/** The stored event id (also the CloudEvent id) of a stream's version: stable across retries. */
export function eventIdFor(requestId: string, version: number): string {
  if (!Number.isInteger(version) || version < 1) {
    throw new DomainValidationError('version', `event version must be an integer >= 1, got ${version}`);
  }
  return uuidV5(`${requestId}/${version}`, EVENT_ID_NAMESPACE);
}

/** RFC 9562 name-based UUID (SHA-1, version 5). */
export function uuidV5(name: string, namespace: string): string {
  const ns = uuidBytes(namespace);
  const nameBytes = utf8(name);
  const input = new Uint8Array(ns.length + nameBytes.length);
  input.set(ns);
  input.set(nameBytes, ns.length);
  const hash = sha1(input).subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidBytes(uuid: string): Uint8Array {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    throw new DomainValidationError('namespace', `'${uuid}' is not a UUID`);
  }
  const hex = uuid.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/**
 * Why this alphabet: the request id becomes the Durable instance id (no `/ \ # ?`, put unencoded
 * into URL paths), a Cosmos partition key and document id, and part of a CloudEvent subject.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const REQUEST_ID_RULE =
  "1-100 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit";

/**
 * The request id of an intake row is its RowKey, so discovering the same row twice yields the same
 * id (and the same orchestration). RowKeys must therefore be unique across partitions.
 */
export function requestIdFromIntakeRow(partitionKey: string, rowKey: string): string {
  if (typeof rowKey !== 'string' || !REQUEST_ID_PATTERN.test(rowKey)) {
    throw new DomainValidationError(
      'RowKey',
      `intake row (PartitionKey '${String(partitionKey)}', RowKey '${String(rowKey)}') has a RowKey that cannot be a request id: it must be ${REQUEST_ID_RULE}`,
    );
  }
  return rowKey;
}

export function isValidRequestId(id: unknown): id is string {
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id);
}
