// The replay model of the extension's shim on DTFx, on histories and SDK states built by hand.
import { expect } from 'chai';
import {
  replayAsAzure,
  type OrchestratorAction,
  type OrchestratorState,
  EventType,
  historyEvent,
  type HistoryEvent,
} from '@saga/devhost/engine';

const T0 = new Date('2024-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const started = (): HistoryEvent[] => [
  historyEvent(EventType.OrchestratorStarted, T0),
  historyEvent(EventType.ExecutionStarted, T0, { Name: 'O', Input: 'null' }),
];
const activity = (name: string): OrchestratorAction => ({ actionType: 0, functionName: name, input: null });
const timer = (ms: number, isCanceled = false): OrchestratorAction => ({
  actionType: 5,
  fireAt: at(ms).toISOString(),
  isCanceled,
});
const state = (
  actions: OrchestratorAction[][],
  schemaVersion: number,
  more: Partial<OrchestratorState> = {},
): OrchestratorState => ({ isDone: false, actions, schemaVersion, ...more });
const replay = (history: HistoryEvent[], s: OrchestratorState): ReturnType<typeof replayAsAzure> =>
  replayAsAzure({ orchestrator: 'O', history, state: s });

describe('replay model of the Durable extension and DTFx', () => {
  it('schema V1: one list per yield, all of a yield invoked together, then the next once one of them is done', () => {
    // yield Task.any([A, B]) answered by B; then yield C.
    const history = [
      ...started(),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'A' }, 0),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'B' }, 1),
      historyEvent(EventType.OrchestratorCompleted, T0),
      historyEvent(EventType.OrchestratorStarted, T0),
      historyEvent(EventType.TaskCompleted, T0, { TaskScheduledId: 1, Result: 'null' }),
    ];
    const verdict = replay(history, state([[activity('A'), activity('B')], [activity('C')]], 0));
    expect(verdict).to.deep.include({ kind: 'running', waitingForOpenTasks: false });
    expect(
      verdict.kind === 'running' && verdict.actions.map((a) => [a.id, a.kind === 'timer' ? 'timer' : a.name]),
    ).to.deep.equal([[2, 'C']]);
  });

  it('refuses a schema the extension does not know, failing the orchestration', () => {
    expect(replay(started(), state([[activity('A')]], 3))).to.deep.equal({
      kind: 'failed',
      message:
        'Orchestrator function \'O\' failed: The OOProc schema of of version "3" is unsupported by this durable-extension version.',
    });
  });

  it("a long timer cancelled on creation leaves the extension's long-timer flag set: a timer due now then takes no id", () => {
    // Task.any([createTimer(+10 d), waitForExternalEvent('Go')]) won by Go, the long timer cancelled, then createTimer(now).
    const verdict = replay(
      started(),
      state(
        [
          [
            {
              actionType: 11,
              compoundActions: [timer(10 * 86_400_000, true), { actionType: 6, externalEventName: 'Go' }],
            },
            timer(0),
          ],
        ],
        2,
      ),
    );
    expect(verdict.kind === 'running' && verdict.actions.map((a) => a.id)).to.deep.equal([0]);
    expect(verdict.kind === 'running' && verdict.warnings.join('\n')).to.match(
      /a timer due at .* was created while a timer longer than 6 days was running or after one was cancelled: the Durable extension completes it without scheduling it .* the instance stays Running/,
    );
  });

  it('does not warn about a timer due now when no long timer was cancelled before it', () => {
    const verdict = replay(started(), state([[timer(0)]], 2));
    expect(verdict).to.deep.include({ kind: 'running', warnings: [] });
  });

  it('stops retrying without a timer once the retry timeout has passed', () => {
    const retry: OrchestratorAction = {
      actionType: 1,
      functionName: 'A',
      input: null,
      retryOptions: {
        firstRetryIntervalInMilliseconds: 1000,
        maxNumberOfAttempts: 5,
        retryTimeoutInMilliseconds: 500,
      } as OrchestratorAction['retryOptions'],
    };
    const history = [
      ...started(),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'A' }, 0),
      historyEvent(EventType.OrchestratorCompleted, T0),
      historyEvent(EventType.OrchestratorStarted, at(600)),
      historyEvent(EventType.TaskFailed, at(600), { TaskScheduledId: 0, Reason: 'x', Details: 'y' }),
    ];
    // The SDK knows nothing of the timeout and would wait for a retry timer; DTFx faults the task and moves on.
    const verdict = replay(history, state([[retry, activity('B')]], 2));
    expect(
      verdict.kind === 'running' && verdict.actions.map((a) => [a.id, a.kind === 'timer' ? 'timer' : a.name]),
    ).to.deep.equal([[1, 'B']]);
  });

  it('hands an event raised before anyone waits to the next waiter, and the newest waiter gets an event first', () => {
    // A, then wait for 'Go', then B; 'go' (names are case-insensitive) arrives while A runs and is buffered.
    const early = [
      ...started(),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'A' }, 0),
      historyEvent(EventType.OrchestratorCompleted, T0),
      historyEvent(EventType.OrchestratorStarted, T0),
      historyEvent(EventType.EventRaised, T0, { Name: 'go', Input: '1' }),
      historyEvent(EventType.TaskCompleted, T0, { TaskScheduledId: 0, Result: 'null' }),
    ];
    const buffered = replay(
      early,
      state([[activity('A'), { actionType: 6, externalEventName: 'Go' }, activity('B')]], 2),
    );
    expect(
      buffered.kind === 'running' && buffered.actions.map((a) => [a.id, a.kind === 'timer' ? 'timer' : a.name]),
    ).to.deep.equal([[1, 'B']]);
    const history = [...started(), historyEvent(EventType.EventRaised, T0, { Name: 'Go', Input: '1' })];
    // Task.any([wait 1, Task.all([timer, wait 2])]), then C: the event goes to wait 2 (the newest), so the race goes on.
    const raced = replay(
      history,
      state(
        [
          [
            {
              actionType: 11,
              compoundActions: [
                { actionType: 6, externalEventName: 'Go' },
                { actionType: 12, compoundActions: [timer(60_000), { actionType: 6, externalEventName: 'Go' }] },
              ],
            },
            activity('C'),
          ],
        ],
        2,
      ),
    );
    expect(raced.kind === 'running' && raced.actions.map((a) => a.id)).to.deep.equal([0]);
  });
});
