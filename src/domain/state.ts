/**
 * A request's state, folded from its events. `evolve` is the only way state changes, and it
 * returns a new object every time (the orchestrator carries state across continueAsNew and
 * replays, so shared mutation would leak between executions).
 */
import type { CompensationStep, IntakeRef, RequestEvent, StoredEvent, WorkItemPayload } from './events';
import type { ExternalJobStatus, Outcome, RequestStage } from './status';

export interface RequestState {
  requestId?: string;
  stage: RequestStage;
  /** Current submission attempt (1-based); 0 before the first is prepared. */
  attempt: number;
  /** The current attempt's external job; cleared when a new attempt is prepared. */
  externalJobId?: string;
  lastExternalStatus?: ExternalJobStatus;
  /** Set by JobTerminal (Pass|Fail) and finally by RequestCompleted. */
  outcome?: Outcome;
  reason?: string;
  /** True once the current job was cancelled by compensation. */
  jobCancelled: boolean;
  /** Compensation steps that failed; non-empty means a human must look. */
  failedCompensations: CompensationStep[];
  needsIntervention: boolean;
  intake?: IntakeRef;
  payload?: WorkItemPayload;
  /** Version of the last event folded in (0 = empty stream). */
  version: number;
  admittedAt?: string;
  updatedAt?: string;
  completedAt?: string;
}

export function initialRequestState(): RequestState {
  return {
    stage: 'New',
    attempt: 0,
    jobCancelled: false,
    failedCompensations: [],
    needsIntervention: false,
    version: 0,
  };
}

/** Folds a domain event (version = previous + 1) or a stored event (its own version). */
export function evolve(state: RequestState, event: RequestEvent | StoredEvent): RequestState {
  const version = isStored(event) ? event.version : state.version + 1;
  const e = { type: event.type, data: event.data } as RequestEvent;
  switch (e.type) {
    case 'RequestDiscovered':
      return {
        ...state,
        version,
        stage: 'Discovered',
        requestId: e.data.requestId,
        intake: { ...e.data.intake },
        payload: e.data.payload,
        admittedAt: e.data.discoveredAt,
        updatedAt: e.data.discoveredAt,
      };
    case 'SubmissionPrepared':
      return {
        ...state,
        version,
        stage: 'Prepared',
        attempt: e.data.attempt,
        externalJobId: undefined,
        lastExternalStatus: undefined,
        jobCancelled: false,
        updatedAt: e.data.preparedAt,
      };
    case 'JobSubmitted':
      // A job starts life as Created; polls report changes relative to that.
      return {
        ...state,
        version,
        stage: 'Submitted',
        attempt: e.data.attempt,
        externalJobId: e.data.externalJobId,
        lastExternalStatus: 'Created',
        updatedAt: e.data.submittedAt,
      };
    case 'JobStatusChanged':
      return { ...state, version, stage: 'Polling', lastExternalStatus: e.data.status, updatedAt: e.data.observedAt };
    case 'JobTerminal':
      return {
        ...state,
        version,
        stage: 'Terminal',
        lastExternalStatus: e.data.status,
        outcome: e.data.outcome,
        reason: e.data.attemptsExhausted ? `attempts exhausted after ${e.data.attempt}` : state.reason,
        updatedAt: e.data.observedAt,
      };
    case 'JobCancelled':
      return {
        ...state,
        version,
        stage: state.needsIntervention ? 'NeedsIntervention' : 'Terminal',
        jobCancelled: true,
        reason: e.data.reason,
        updatedAt: e.data.cancelledAt,
      };
    case 'CompensationFailed':
      return {
        ...state,
        version,
        stage: 'NeedsIntervention',
        needsIntervention: true,
        failedCompensations: state.failedCompensations.includes(e.data.step)
          ? state.failedCompensations
          : [...state.failedCompensations, e.data.step],
        updatedAt: e.data.failedAt,
      };
    case 'RequestCompleted':
      // A request whose compensation failed stays visibly in NeedsIntervention after completing.
      return {
        ...state,
        version,
        stage: state.needsIntervention ? 'NeedsIntervention' : 'Completed',
        outcome: e.data.outcome,
        reason: e.data.reason ?? state.reason,
        completedAt: e.data.completedAt,
        updatedAt: e.data.completedAt,
      };
    default: {
      const unknown: never = e;
      throw new Error(`unknown event type ${(unknown as { type: string }).type}`);
    }
  }
}

export function foldEvents(
  events: readonly (RequestEvent | StoredEvent)[],
  from: RequestState = initialRequestState(),
): RequestState {
  return events.reduce(evolve, from);
}

export function isCompleted(state: RequestState): boolean {
  return state.completedAt !== undefined;
}

function isStored(event: RequestEvent | StoredEvent): event is StoredEvent {
  return 'version' in event && typeof (event as StoredEvent).version === 'number';
}
