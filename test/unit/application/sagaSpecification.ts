/**
 * given(whatHappened...).when(whatHappened).then(command) for the saga decider, after emmett's
 * WorkflowSpecification. The fold is the orchestrator's: each input is evolved into the state, the
 * decider names a command, and the command is evolved in too.
 */
import { expect } from 'chai';
import type { WorkflowInput } from '../../../src/application/workflow/contracts';
import {
  decide,
  evolve,
  initialState,
  type SagaCommand,
  type SagaInput,
  type SagaState,
} from '../../../src/application/workflow/saga';

export function step(state: SagaState, happened: SagaInput): { state: SagaState; command: SagaCommand } {
  const seen = evolve(state, happened);
  const command = decide(happened, seen);
  return { state: evolve(seen, command), command };
}

export function saga(input: WorkflowInput, now: string) {
  return {
    given(...history: SagaInput[]) {
      const state = history.reduce((s, h) => step(s, h).state, initialState(input, now));
      return {
        when(happened: SagaInput) {
          return {
            then(expected: SagaCommand): SagaState {
              const next = step(state, happened);
              // Compared as the JSON it becomes (activity inputs, continueAsNew input): absent and undefined are alike.
              expect(plain(next.command)).to.deep.equal(plain(expected));
              return next.state;
            },
          };
        },
      };
    },
  };
}

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
