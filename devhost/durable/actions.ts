/**
 * The OrchestratorState the SDK returns (docs/DURABLE_PROTOCOL.md §6) and how to read it.
 */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  /** The extension accepts it (OutOfProcOrchestrationShim); the JS SDK 3.x never emits it. */
  ScheduledSignalEntity: 10,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
  };
  compoundActions?: OrchestratorAction[];
  /** CallEntity / SignalEntity: the operation name. */
  operation?: string;
  /** CallHttp: the DurableHttpRequest. */
  httpRequest?: {
    method?: string;
    uri?: string;
    content?: string;
    headers?: Record<string, string>;
    tokenSource?: unknown;
    asynchronousPatternEnabled?: boolean;
  };
}

export interface OrchestratorState {
  isDone: boolean;
  actions: OrchestratorAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** Leaf actions in the order the SDK gave them sequence ids: yield order, compound children left to right. */
export function flattenActions(actions: readonly (readonly OrchestratorAction[])[]): OrchestratorAction[] {
  const out: OrchestratorAction[] = [];
  const visit = (a: OrchestratorAction): void => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) a.compoundActions?.forEach(visit);
    else out.push(a);
  };
  for (const group of actions) group.forEach(visit);
  return out;
}

/** Whether the SDK allocated a sequence id for this action (§8.1). */
export function consumesId(a: OrchestratorAction): boolean {
  return (
    a.actionType !== ActionType.WaitForExternalEvent &&
    a.actionType !== ActionType.ContinueAsNew &&
    a.actionType !== ActionType.LockEntities &&
    a.actionType !== ActionType.ReleaseEntities
  );
}

/**
 * The SDK JSON-encodes string inputs of CallActivity(+Retry) and ContinueAsNew once more (§6.1);
 * this undoes that. Other inputs are raw.
 */
export function decodeActionInput(a: OrchestratorAction): unknown {
  const encodesStrings =
    a.actionType === ActionType.CallActivity ||
    a.actionType === ActionType.CallActivityWithRetry ||
    a.actionType === ActionType.ContinueAsNew;
  if (encodesStrings && typeof a.input === 'string') {
    try {
      return JSON.parse(a.input);
    } catch {
      return a.input;
    }
  }
  return a.input;
}

export function describeAction(a: OrchestratorAction): string {
  switch (a.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return `an activity task named '${a.functionName}'`;
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return `a sub-orchestration named '${a.functionName}'`;
    case ActionType.CreateTimer:
      return 'a timer';
    case ActionType.CallEntity:
      return `an entity call to '${a.instanceId}'`;
    case ActionType.SignalEntity:
    case ActionType.ScheduledSignalEntity:
      return `an entity signal to '${a.instanceId}'`;
    case ActionType.CallHttp:
      return `an HTTP call to '${a.httpRequest?.uri}'`;
    default:
      return `an action of type ${a.actionType}`;
  }
}

const FAILURE_MARKER = '\n\n$OutOfProcData$:';

/** Splits the error an orchestrator throws into the embedded state (§6.3), when there is one. */
export function stateFromThrown(err: unknown): { state?: OrchestratorState; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  const at = text.indexOf(FAILURE_MARKER);
  if (at < 0) return { message: text };
  try {
    const state = JSON.parse(text.slice(at + FAILURE_MARKER.length)) as OrchestratorState;
    return { state, message: state.error ?? text.slice(0, at) };
  } catch {
    return { message: text };
  }
}
