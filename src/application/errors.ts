/**
 * Classified errors. Each carries a stable `code` and a `retriable` flag, because errors lose
 * their class when they cross the activity boundary: the orchestrator sees only a message, so
 * the code is also embedded in the message as `[code]` (see `errorCodeOf`).
 */
import type { DomainErrorCode } from '../domain/errors';

export type ErrorCode =
  DomainErrorCode | 'Concurrency' | 'Conflict' | 'NotFound' | 'Transient' | 'NonRetriable' | 'Configuration';

export class WorkflowError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`[${code}] ${message}`, options);
    this.name = `${code}Error`;
  }
}

/** A different event already holds a version the caller expected to be free. */
export class ConcurrencyError extends WorkflowError {
  constructor(message: string) {
    super('Concurrency', message, false);
  }
}
/** The thing to create already exists (e.g. an intake row). */
export class ConflictError extends WorkflowError {
  constructor(message: string) {
    super('Conflict', message, false);
  }
}
/** Input that can never succeed; names the offending field. */
export class ValidationError extends WorkflowError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('Validation', message, false);
  }
}
export class NotFoundError extends WorkflowError {
  constructor(message: string) {
    super('NotFound', message, false);
  }
}
/** Throttling (429), 5xx, timeouts, resets: try again later. */
export class TransientError extends WorkflowError {
  constructor(message: string, options?: { cause?: unknown; readonly status?: number }) {
    super('Transient', message, true, options);
  }
}
/** A dependency refused for good (4xx other than 408/429). */
export class NonRetriableError extends WorkflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NonRetriable', message, false, options);
  }
}
export class ConfigurationError extends WorkflowError {
  constructor(
    message: string,
    readonly settings: string[],
  ) {
    super('Configuration', message, false);
  }
}

export function ensureError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
}

/** Reads the code from an error or from a message that crossed the activity boundary. */
export function errorCodeOf(e: unknown): ErrorCode | undefined {
  if (e instanceof WorkflowError) return e.code;
  const m =
    /\[(Concurrency|Conflict|Validation|NotFound|Transient|NonRetriable|IllegalTransition|Configuration)\]/.exec(
      ensureError(e).message,
    );
  return m ? (m[1] as ErrorCode) : undefined;
}

export function isRetriable(e: unknown): boolean {
  if (e instanceof WorkflowError) return e.retriable;
  return errorCodeOf(e) === 'Transient';
}
