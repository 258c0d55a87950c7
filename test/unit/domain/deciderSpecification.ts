/** given(events).when(command).then(events) for the request decider, after emmett's DeciderSpecification. */
import { expect } from 'chai';
import { decide, type RequestCommand } from '../../../src/domain/decide';
import type { RequestEvent } from '../../../src/domain/events';
import { foldEvents, type RequestState } from '../../../src/domain/state';

export function given(...history: RequestEvent[]) {
  return {
    when(command: RequestCommand) {
      const state = foldEvents(history);
      const run = (): RequestEvent[] => decide(command, state);
      return {
        then(...expected: RequestEvent[]): RequestState {
          const actual = run();
          expect(actual).to.deep.equal(expected);
          return foldEvents(actual, state);
        },
        thenNothingHappened(): void {
          expect(run()).to.deep.equal([]);
        },
        /** Asserts an IllegalTransitionError whose message matches `detail`. */
        thenThrows(detail: RegExp): void {
          expect(run)
            .to.throw(/^\[IllegalTransition\]/)
            .with.property('code', 'IllegalTransition');
          expect(run).to.throw(detail);
        },
      };
    },
  };
}
