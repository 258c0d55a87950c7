import { expect } from 'chai';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { executionSpanId, executionTrace, parseTraceparent } from '../../../src/application/workflow/trace';
import { consumeCloudEvent, traceContextOfCloudEvent } from '../../../src/infrastructure/telemetry/cloudEventTrace';
import { addSpanProcessor, setupTracing, traceContextOf } from '../../../src/infrastructure/telemetry/tracing';

describe('trace context', () => {
  const parent = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=b' };

  it('gives an orchestration execution the same span id on every replay, and a different one per execution', () => {
    const first = executionTrace(parent, 'req-1', '2026-01-01T00:00:00.000Z');
    expect(executionTrace(parent, 'req-1', '2026-01-01T00:00:00.000Z')).to.deep.equal(first);
    expect(parseTraceparent(first?.traceparent)).to.deep.include({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      flags: '01',
    });
    expect(parseTraceparent(first?.traceparent)?.spanId).to.equal(executionSpanId('req-1', '2026-01-01T00:00:00.000Z'));
    expect(executionSpanId('req-1', '2026-01-01T00:00:05.000Z')).to.not.equal(
      executionSpanId('req-1', '2026-01-01T00:00:00.000Z'),
    );
    expect(first?.tracestate).to.equal('a=b');
  });

  it('ignores malformed or all-zero traceparents', () => {
    for (const bad of [
      '',
      'nope',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ]) {
      expect(parseTraceparent(bad), bad).to.equal(undefined);
      expect(executionTrace({ traceparent: bad }, 'r', 't'), bad).to.equal(undefined);
    }
  });

  it("reads a CloudEvent's trace context in the structured form and the SDK form", () => {
    expect(traceContextOfCloudEvent({ id: '1', type: 't', source: 's', ...parent })).to.deep.equal(parent);
    expect(
      traceContextOfCloudEvent({
        id: '1',
        type: 't',
        source: 's',
        extensionAttributes: { traceparent: parent.traceparent },
      }),
    ).to.deep.equal({ traceparent: parent.traceparent });
    expect(traceContextOfCloudEvent({ id: '1', type: 't', source: 's' })).to.equal(undefined);
  });

  it("starts a subscriber's span as a child of the span that sent the event", async () => {
    setupTracing({});
    const exporter = new InMemorySpanExporter();
    addSpanProcessor(new SimpleSpanProcessor(exporter));
    let inner: string | undefined;
    await consumeCloudEvent(
      { id: 'e1', type: 'workflow.request.completed.v1', source: '/s', ...parent },
      'audit',
      async (span) => {
        inner = traceContextOf(span)?.traceparent;
      },
    );
    const span = exporter.getFinishedSpans()[0];
    if (!span) throw new Error('no span was exported');
    expect(span.name).to.equal('process audit');
    expect(span.spanContext().traceId).to.equal('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
    expect(span.attributes).to.include({
      'messaging.system': 'eventgrid',
      'cloudevents.event_id': 'e1',
      'cloudevents.event_type': 'workflow.request.completed.v1',
    });
    expect(inner).to.match(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });
});
