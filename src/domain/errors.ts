/**
 * Domain errors. They cross the activity boundary as plain messages, so each message starts with
 * its stable code in brackets (`[IllegalTransition] …`); application/errors `errorCodeOf` reads it.
 * The domain cannot import the application layer, hence these stand-alone classes.
 */
import type { RequestStage } from './status';

export type DomainErrorCode = 'IllegalTransition' | 'Validation';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Domain rules do not change on retry. */
  readonly retriable = false;
}

/** A command that the request's current stage does not allow. */
export class IllegalTransitionError extends DomainError {
  readonly code = 'IllegalTransition' as const;
  constructor(
    readonly command: string,
    readonly stage: RequestStage,
    detail: string,
  ) {
    super(`[IllegalTransition] ${command} is not allowed in stage ${stage}: ${detail}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Input that breaks a domain rule; `field` names what to fix. */
export class DomainValidationError extends DomainError {
  readonly code = 'Validation' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`[Validation] ${message}`);
    this.name = 'DomainValidationError';
  }
}

export function isIllegalTransition(e: unknown): boolean {
  if (e instanceof IllegalTransitionError) return true;
  return e instanceof Error && e.message.includes('[IllegalTransition]');
}
