import { expect } from 'chai';
import type { RequestEvent } from '../../../src/domain/events';
import { REQUEST_EVENT_TYPES } from '../../../src/domain/events';
import {
  knownWireTypes,
  schemaOf,
  schemaUrlFor,
  validateEventData,
} from '../../../src/infrastructure/events/schemaRegistry';
import { WIRE_TYPES } from '../../../src/infrastructure/events/wireTypes';

describe('event schema registry', () => {
  it('has exactly one schema per domain event type', () => {
    expect(knownWireTypes()).to.deep.equal(REQUEST_EVENT_TYPES.map((t) => WIRE_TYPES[t]).sort());
  });

  for (const type of REQUEST_EVENT_TYPES) {
    describe(`${type} (${WIRE_TYPES[type]})`, () => {
      const wireType = WIRE_TYPES[type];
      it('declares its $id, draft 2020-12, a title and a description on every property', () => {
        const schema = schemaOf(wireType)!;
        expect(schema.$id).to.equal(`https://schemas.example.com/workflow/${wireType}.json`);
        expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
        expect(schema.title).to.equal(type);
        expect(undocumented(schema)).to.deep.equal([]);
      });
      it('accepts the data the domain produces, and its own examples', () => {
        const sample = SAMPLES.find((e) => e.type === type)!;
        expect(validateEventData(wireType, sample.data)).to.deep.equal({ ok: true });
        for (const example of schemaOf(wireType)!.examples as unknown[]) {
          expect(validateEventData(wireType, example)).to.deep.equal({ ok: true });
        }
      });
      it('requires every field the domain type requires', () => {
        const sample = SAMPLES.find((e) => e.type === type)!;
        // RequestCompleted.reason is the one optional field of the domain types.
        const required = Object.keys(sample.data).filter((k) => !(type === 'RequestCompleted' && k === 'reason'));
        expect(schemaOf(wireType)!.required).to.have.members(required);
      });
    });
  }

  it('names the offending field of bad data', () => {
    const result = validateEventData(WIRE_TYPES.JobSubmitted, {
      requestId: 'req-1',
      attempt: 0,
      externalJobId: 42,
      submittedAt: 'yesterday',
      extra: true,
    });
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.errors).to.have.members([
      '/attempt must be >= 1',
      '/externalJobId must be string',
      '/submittedAt must match format "date-time"',
      '/extra is not allowed',
    ]);
  });

  it('names missing fields and bad enum values, also nested', () => {
    const result = validateEventData(WIRE_TYPES.RequestDiscovered, {
      requestId: 'req-1',
      intake: { partitionKey: 'p' },
      payload: {},
      discoveredAt: '2025-01-01T00:00:00Z',
    });
    expect(result).to.deep.equal({ ok: false, errors: ['/intake/rowKey is required'] });
    const status = validateEventData(WIRE_TYPES.JobStatusChanged, { ...SAMPLES[3]!.data, status: 'Running' });
    expect(status).to.deep.equal({
      ok: false,
      errors: ['/status must be one of Created, Inprogress, Pass, Fail, FailCanRetry'],
    });
  });

  it('refuses an unknown wire type with a clear error', () => {
    const result = validateEventData('workflow.job.pollrequested.v1', {});
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.errors[0]).to.match(
      /^unknown event type 'workflow\.job\.pollrequested\.v1': no schema workflow\.job\.pollrequested\.v1\.json/,
    );
  });

  it('builds the dataschema URL from the base URL with or without a trailing slash', () => {
    expect(schemaUrlFor('workflow.job.submitted.v1', 'https://schemas.example.com/workflow/')).to.equal(
      'https://schemas.example.com/workflow/workflow.job.submitted.v1.json',
    );
    expect(schemaUrlFor('workflow.job.submitted.v1', 'http://127.0.0.1:7071/schemas')).to.equal(
      'http://127.0.0.1:7071/schemas/workflow.job.submitted.v1.json',
    );
  });

  // ---- fixtures ------------------------------------------------------------------------
  const T = '2025-01-01T00:00:00.000Z';
  const SAMPLES: RequestEvent[] = [
    {
      type: 'RequestDiscovered',
      data: {
        requestId: 'r1',
        intake: { partitionKey: 'p', rowKey: 'r1' },
        payload: { scenario: 'pass', extra: [1] },
        discoveredAt: T,
      },
    },
    {
      type: 'SubmissionPrepared',
      data: { requestId: 'r1', attempt: 2, submission: { requestId: 'r1', attempt: 2, payload: {} }, preparedAt: T },
    },
    { type: 'JobSubmitted', data: { requestId: 'r1', attempt: 1, externalJobId: 'j1', submittedAt: T } },
    {
      type: 'JobStatusChanged',
      data: {
        requestId: 'r1',
        attempt: 1,
        externalJobId: 'j1',
        previousStatus: 'Created',
        status: 'Inprogress',
        observedAt: T,
      },
    },
    {
      type: 'JobTerminal',
      data: {
        requestId: 'r1',
        attempt: 3,
        externalJobId: 'j1',
        status: 'FailCanRetry',
        outcome: 'Fail',
        attemptsExhausted: true,
        observedAt: T,
      },
    },
    {
      type: 'JobCancelled',
      data: { requestId: 'r1', attempt: 1, externalJobId: 'j1', reason: 'operator', cancelledAt: T },
    },
    { type: 'CompensationFailed', data: { requestId: 'r1', step: 'releaseIntake', error: 'boom', failedAt: T } },
    { type: 'RequestCompleted', data: { requestId: 'r1', outcome: 'Cancelled', reason: 'operator', completedAt: T } },
  ];

  function undocumented(schema: unknown, at = ''): string[] {
    const s = schema as { properties?: Record<string, unknown> };
    return Object.entries(s.properties ?? {}).flatMap(([name, prop]) => [
      ...((prop as { description?: string }).description ? [] : [`${at}/${name}`]),
      ...undocumented(prop, `${at}/${name}`),
    ]);
  }
});
