/**
 * Domain errors. They cross the activity boundary as plain messages, so each message starts with
 * its stable code in brackets (`[IllegalTransition] …`); application/errors `errorCodeOf` reads it.
 * The domain cannot import the application layer, hence these stand-alone classes.
 */
import type { RequestStage } from './status';

export type DomainErrorCode = 'IllegalTransition' | 'Validation';

export class DomainError extends Error {
  /** Domain rules do not change on retry. */
  readonly retriable = false;
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(`[${code}] ${message}`);
    this.name = `${code}Error`;
  }
}

/** A command that the request's current stage does not allow. */
export class IllegalTransitionError extends DomainError {
  constructor(
    readonly command: string,
    readonly stage: RequestStage,
    detail: string,
  ) {
    super('IllegalTransition', `${command} is not allowed in stage ${stage}: ${detail}`);
  }
}

/** Input that breaks a domain rule; `field` names what to fix. */
export class DomainValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('Validation', message);
  }
}

/** Also true for a message that crossed the activity boundary and lost its class. */
export function isIllegalTransition(e: unknown): boolean {
  if (e instanceof IllegalTransitionError) return true;
  return e instanceof Error && e.message.includes('[IllegalTransition]');
}
