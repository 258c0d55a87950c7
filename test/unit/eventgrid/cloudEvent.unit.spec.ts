import { expect } from 'chai';
import { CloudEvent } from 'cloudevents';
import { toCloudEvent, formatSequence } from '../../../src/infrastructure/eventgrid';
import { splitIntoBatches, jsonBytes } from '../../../src/infrastructure/eventgrid/batching';
import { classifyPublishError } from '../../../src/infrastructure/eventgrid/failures';
import { validateEventData } from '../../../src/infrastructure/events/schemaRegistry';
import { WIRE_TYPES } from '../../../src/infrastructure/events/wireTypes';
import { ONE_OF_EACH, stored } from './storedEvents';

const opts = { source: '/workflow/requests', schemaBaseUrl: 'https://schemas.example.com/workflow/' };

describe('toCloudEvent', () => {
  const events = stored(ONE_OF_EACH);

  it('maps every event type to a valid CloudEvent 1.0 whose data matches its schema', () => {
    for (const e of events) {
      const ce = toCloudEvent(e, opts);
      expect(() => new CloudEvent(ce as unknown as Record<string, unknown>, true), e.type).not.to.throw();
      expect(ce.type).to.equal(WIRE_TYPES[e.type]);
      expect(validateEventData(ce.type, ce.data), e.type).to.deep.equal({ ok: true });
    }
  });

  it('carries the stored identity, order and metadata in the envelope', () => {
    const ce = toCloudEvent(events[2]!, opts);
    expect(ce).to.include({
      specversion: '1.0',
      id: 'req-1-evt-3',
      source: '/workflow/requests',
      type: 'workflow.job.submitted.v1',
      subject: 'requests/req-1',
      time: '2026-01-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'https://schemas.example.com/workflow/workflow.job.submitted.v1.json',
      sequence: '0000000000000003',
      correlationid: 'corr-req-1',
      causationid: 'cause-3',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(ce.data).to.deep.equal(events[2]!.data);
  });

  it('is deterministic and leaves traceparent out when the event has none', () => {
    expect(toCloudEvent(events[1]!, opts)).to.deep.equal(toCloudEvent(events[1]!, opts));
    expect(toCloudEvent(events[1]!, opts)).not.to.have.property('traceparent');
  });

  it('formats the sequence so that string order equals version order', () => {
    const versions = [1, 2, 9, 10, 11, 100, 12345];
    const sorted = versions.map(formatSequence).sort();
    expect(sorted.map(Number)).to.deep.equal(versions);
  });
});

describe('splitIntoBatches', () => {
  const limits = { maxEvents: 3, maxRequestBytes: 100, maxEventBytes: 40 };
  const item = (n: number): string => 'a'.repeat(n);

  it('starts a new batch at the count limit', () => {
    const { batches } = splitIntoBatches(
      [1, 2, 3, 4, 5, 6, 7].map(() => item(5)),
      limits,
    );
    expect(batches.map((b) => b.length)).to.deep.equal([3, 3, 1]);
  });

  it('keeps every batch within the byte limit, counting brackets and commas', () => {
    const items = Array.from({ length: 10 }, () => item(28)); // 30 bytes as JSON
    const { batches } = splitIntoBatches(items, { ...limits, maxEvents: 100 });
    for (const b of batches) expect(jsonBytes(b)).to.be.at.most(100);
    expect(batches.flat()).to.have.length(10);
    expect(batches[0]).to.have.length(3); // 2 + 30*3 + 2 commas = 94; a fourth would be 125
  });

  it('sets aside an event over the per-event limit instead of sending it', () => {
    const { batches, oversized } = splitIntoBatches([item(5), item(50), item(5)], limits);
    expect(batches.flat()).to.deep.equal([item(5), item(5)]);
    expect(oversized.map((o) => o.bytes)).to.deep.equal([52]);
  });
});

describe('classifyPublishError', () => {
  const withStatus = (statusCode: number): Error => Object.assign(new Error('x'), { statusCode });

  it('retries throttling, server errors and network failures', () => {
    for (const s of [408, 429, 500, 503])
      expect(classifyPublishError(withStatus(s)).retriable, String(s)).to.equal(true);
    expect(
      classifyPublishError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).retriable,
    ).to.equal(true);
  });

  it('does not retry a refused payload, credential or endpoint', () => {
    for (const s of [400, 401, 403, 404, 413])
      expect(classifyPublishError(withStatus(s)).retriable, String(s)).to.equal(false);
  });
});
