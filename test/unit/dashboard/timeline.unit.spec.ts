import { expect } from 'chai';
import { timelineOf } from '../../../dashboard/server/timeline';

describe('dashboard timeline from a Durable HTTP API history', () => {
  it('turns an execution, its activities, timers and events into Gantt rows', () => {
    const rows = timelineOf([
      { EventType: 'ExecutionStarted', FunctionName: 'requestWorkflow', Timestamp: '2026-01-01T00:00:00.000Z' },
      {
        EventType: 'TaskCompleted',
        FunctionName: 'pollJob',
        ScheduledTime: '2026-01-01T00:00:01.000Z',
        Timestamp: '2026-01-01T00:00:01.500Z',
      },
      { EventType: 'TimerCreated', FireAt: '2026-01-01T00:00:05.000Z', Timestamp: '2026-01-01T00:00:01.500Z' },
      { EventType: 'EventRaised', Name: 'cancel', Timestamp: '2026-01-01T00:00:03.000Z' },
      { EventType: 'TimerFired', FireAt: '2026-01-01T00:00:05.000Z', Timestamp: '2026-01-01T00:00:05.010Z' },
      {
        EventType: 'TaskFailed',
        FunctionName: 'cancelJob',
        ScheduledTime: '2026-01-01T00:00:05.010Z',
        Timestamp: '2026-01-01T00:00:05.200Z',
      },
      { EventType: 'TaskScheduled', Name: 'completeRequest', Timestamp: '2026-01-01T00:00:05.200Z' },
    ]);
    expect(rows).to.deep.equal([
      { kind: 'execution', name: 'requestWorkflow', start: '2026-01-01T00:00:00.000Z', status: 'running' },
      {
        kind: 'activity',
        name: 'pollJob',
        start: '2026-01-01T00:00:01.000Z',
        end: '2026-01-01T00:00:01.500Z',
        status: 'completed',
      },
      {
        kind: 'timer',
        name: 'timer until 2026-01-01T00:00:05.000Z',
        start: '2026-01-01T00:00:01.500Z',
        end: '2026-01-01T00:00:05.010Z',
        status: 'fired',
      },
      {
        kind: 'event',
        name: 'event cancel',
        start: '2026-01-01T00:00:03.000Z',
        end: '2026-01-01T00:00:03.000Z',
        status: 'raised',
      },
      {
        kind: 'activity',
        name: 'cancelJob',
        start: '2026-01-01T00:00:05.010Z',
        end: '2026-01-01T00:00:05.200Z',
        status: 'failed',
      },
      { kind: 'activity', name: 'completeRequest', start: '2026-01-01T00:00:05.200Z', status: 'running' },
    ]);
  });

  it('closes the execution row when it completes, and a timer that never fired with it', () => {
    const rows = timelineOf([
      { EventType: 'ExecutionStarted', FunctionName: 'other', Timestamp: '2026-01-01T00:00:00.000Z' },
      { EventType: 'TimerCreated', FireAt: '2026-01-01T01:00:00.000Z', Timestamp: '2026-01-01T00:00:00.500Z' },
      { EventType: 'ExecutionCompleted', OrchestrationStatus: 'Completed', Timestamp: '2026-01-01T00:00:02.000Z' },
    ]);
    expect(rows[0]).to.include({ end: '2026-01-01T00:00:02.000Z', status: 'completed' });
    expect(rows[1]).to.include({ kind: 'timer', end: '2026-01-01T00:00:02.000Z', status: 'abandoned' });
  });
});
