import { join } from 'node:path';
import { expect } from 'chai';
import {
  matchesFilter,
  type CloudEventJson,
  parseSubscriptions,
  readSubscriptionsFile,
  SubscriptionFileError,
  type SubscriptionFilter,
} from '@saga/devhost/localstack';
import { knownWireTypes } from '../../../src/infrastructure/events/schemaRegistry';

const FILE = join(__dirname, '..', '..', '..', 'eventgrid', 'subscriptions.json');

function valid(): Record<string, unknown> {
  return {
    name: 'sub-1',
    destination: { endpointType: 'WebHook', endpointUrl: 'http://127.0.0.1:1/hook' },
    eventDeliverySchema: 'CloudEventSchemaV1_0',
    filter: { includedEventTypes: ['a.b'] },
  };
}

function errorFor(mutate: (s: Record<string, unknown>) => void): SubscriptionFileError {
  const s = valid();
  mutate(s);
  try {
    parseSubscriptions({ subscriptions: [s] }, 'test.json');
  } catch (e) {
    if (e instanceof SubscriptionFileError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('event subscriptions file', () => {
  it('the committed file parses and subscribes to every published CloudEvent type', () => {
    const subs = readSubscriptionsFile(FILE);
    expect(subs.map((s) => s.name)).to.deep.equal(['workflow-subscriber']);
    expect(subs[0]!.filter.includedEventTypes).to.have.members(knownWireTypes());
    expect(subs[0]!.destination).to.include({
      endpointType: 'AzureFunction',
      functionApp: 'subscriber',
      functionName: 'onWorkflowEvent',
    });
  });

  it('applies Event Grid defaults for a missing retry policy', () => {
    const [s] = parseSubscriptions({ subscriptions: [valid()] });
    expect(s!.retryPolicy).to.deep.equal({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    expect(s!.deadLetterContainer).to.equal(undefined);
  });

  it('names the field of an unknown filter', () => {
    const e = errorFor((s) => ((s.filter as Record<string, unknown>).subjectContains = 'x'));
    expect(e.field).to.equal('subscriptions[0].filter.subjectContains');
    expect(e.message).to.match(/^test\.json: subscriptions\[0\]\.filter\.subjectContains: unknown field/);
  });

  it('names the field of an unknown advanced-filter operator', () => {
    const e = errorFor(
      (s) =>
        ((s.filter as Record<string, unknown>).advancedFilters = [
          { operatorType: 'StringContains', key: 'subject', values: ['x'] },
        ]),
    );
    expect(e.field).to.equal('subscriptions[0].filter.advancedFilters[0].operatorType');
    expect(e.message).to.contain('StringContains');
  });

  it('names the field of an unknown destination', () => {
    const e = errorFor((s) => (s.destination = { endpointType: 'ServiceBusQueue', resourceId: 'x' }));
    expect(e.field).to.equal('subscriptions[0].destination.endpointType');
    expect(e.message).to.contain('ServiceBusQueue');
  });

  it('rejects out-of-range retry policies, other delivery schemas, batching and bad dead-letter destinations', () => {
    expect(errorFor((s) => (s.retryPolicy = { maxDeliveryAttempts: 31 })).field).to.equal(
      'subscriptions[0].retryPolicy.maxDeliveryAttempts',
    );
    expect(errorFor((s) => (s.retryPolicy = { eventTimeToLiveInMinutes: 0 })).field).to.equal(
      'subscriptions[0].retryPolicy.eventTimeToLiveInMinutes',
    );
    expect(errorFor((s) => (s.eventDeliverySchema = 'EventGridSchema')).field).to.equal(
      'subscriptions[0].eventDeliverySchema',
    );
    expect(errorFor((s) => ((s.destination as Record<string, unknown>).maxEventsPerBatch = 10)).field).to.equal(
      'subscriptions[0].destination.maxEventsPerBatch',
    );
    expect(
      errorFor((s) => (s.deadLetterDestination = { endpointType: 'StorageQueue', blobContainerName: 'dl' })).field,
    ).to.equal('subscriptions[0].deadLetterDestination.endpointType');
    expect(
      errorFor((s) => (s.deadLetterDestination = { endpointType: 'StorageBlob', blobContainerName: 'Bad_Name' })).field,
    ).to.equal('subscriptions[0].deadLetterDestination.blobContainerName');
    expect(errorFor((s) => (s.label = 'x')).field).to.equal('subscriptions[0].label');
  });
});

describe('event subscription filters', () => {
  const event: CloudEventJson = {
    id: '1',
    type: 'workflow.job.terminal.v1',
    source: '/s',
    specversion: '1.0',
    subject: 'requests/Req-7',
    sequence: '0000000000000005',
    data: { outcome: 'Pass', attempt: 2, attemptsExhausted: false, nested: { flag: true } },
  };
  const match = (filter: SubscriptionFilter): boolean => matchesFilter(event, filter);

  it('includedEventTypes compares case-insensitively', () => {
    expect(match({ includedEventTypes: ['WORKFLOW.JOB.TERMINAL.V1'] })).to.equal(true);
    expect(match({ includedEventTypes: ['workflow.request.completed.v1'] })).to.equal(false);
  });

  it('subjectBeginsWith / subjectEndsWith, case-insensitive unless isSubjectCaseSensitive', () => {
    expect(match({ subjectBeginsWith: 'REQUESTS/', subjectEndsWith: '-7' })).to.equal(true);
    expect(match({ subjectBeginsWith: 'orders/' })).to.equal(false);
    expect(match({ subjectEndsWith: 'req-7', isSubjectCaseSensitive: true })).to.equal(false);
    expect(match({ subjectEndsWith: 'Req-7', isSubjectCaseSensitive: true })).to.equal(true);
  });

  it('StringIn and StringBeginsWith on attributes and data, any value may match', () => {
    expect(
      match({ advancedFilters: [{ operatorType: 'StringIn', key: 'data.outcome', values: ['Fail', 'pass'] }] }),
    ).to.equal(true);
    expect(match({ advancedFilters: [{ operatorType: 'StringIn', key: 'data.outcome', values: ['Fail'] }] })).to.equal(
      false,
    );
    expect(
      match({
        advancedFilters: [{ operatorType: 'StringBeginsWith', key: 'type', values: ['other.', 'Workflow.job.'] }],
      }),
    ).to.equal(true);
  });

  it('NumberGreaterThan, BoolEquals and IsNotNull', () => {
    expect(match({ advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.attempt', value: 1 }] })).to.equal(
      true,
    );
    expect(match({ advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.attempt', value: 2 }] })).to.equal(
      false,
    );
    expect(
      match({ advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.outcome', value: 0 }] }),
      'a string is not a number',
    ).to.equal(false);
    expect(match({ advancedFilters: [{ operatorType: 'BoolEquals', key: 'data.nested.flag', value: true }] })).to.equal(
      true,
    );
    expect(
      match({ advancedFilters: [{ operatorType: 'BoolEquals', key: 'data.attemptsExhausted', value: true }] }),
    ).to.equal(false);
    expect(match({ advancedFilters: [{ operatorType: 'IsNotNull', key: 'sequence' }] })).to.equal(true);
    expect(match({ advancedFilters: [{ operatorType: 'IsNotNull', key: 'traceparent' }] })).to.equal(false);
  });

  it('every advanced filter must match', () => {
    expect(
      match({
        advancedFilters: [
          { operatorType: 'IsNotNull', key: 'sequence' },
          { operatorType: 'StringIn', key: 'data.outcome', values: ['Fail'] },
        ],
      }),
    ).to.equal(false);
  });
});
