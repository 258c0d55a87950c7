/**
 * Turns the actions the replay model found new into history events and work, with the ids DTFx
 * gave them (so retry timers, rescheduled attempts and long-timer parts are written where Azure
 * writes them).
 */
import { decodeActionInput, type OrchestratorAction } from '../actions';
import {
  scheduleActivity,
  scheduleSubOrchestration,
  timerMessage,
  type ActionWork,
  type Scheduling,
} from '../applyActions';
import { EventType, historyEvent } from '../history';
import type { ModelAction } from './context';

/** JSON text of the input the activity or child receives (the SDK encodes some inputs once more). */
const encoded = (a: OrchestratorAction): string => JSON.stringify(decodeActionInput(a) ?? null);

export function scheduleModelActions(input: Scheduling, actions: readonly ModelAction[]): ActionWork {
  const work: ActionWork = { events: [], send: [], children: [], canceledTimerMessages: [] };
  for (const a of actions) {
    switch (a.kind) {
      case 'task':
        scheduleActivity(input, work, a.id, a.name, encoded(a.source));
        break;
      case 'subOrchestration':
        scheduleSubOrchestration(input, work, a.id, a.name, encoded(a.source), a.source.instanceId, a.source.version);
        break;
      case 'timer':
        work.events.push(historyEvent(EventType.TimerCreated, input.now, { FireAt: a.fireAt.toISOString() }, a.id));
        // A timer cancelled as it was created never matters to anyone; Azure lets it fire unheard.
        if (!a.canceled) work.send.push(timerMessage(input.record, a.id, a.fireAt, input.seq()));
        break;
    }
  }
  return work;
}
