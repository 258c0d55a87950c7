/**
 * OpenTelemetry for the app (SDK 2.x with @opentelemetry/api 1.9: the 3.x packages need Node 22.15+
 * and api 1.10). One provider per process, registered by `setupTracing` from the app's entry:
 *
 * - APPLICATIONINSIGHTS_CONNECTION_STRING set (Azure): spans go to Application Insights through
 *   `@azure/monitor-opentelemetry-exporter` (needs Node 22; infra sets the app to Node 22).
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT set (the devhost sets it): OTLP/HTTP JSON.
 * - neither: spans are still made (ids for traceparent headers and CloudEvents) and dropped.
 */
import { context, propagation, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  type IdGenerator,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { DefaultAzureCredential } from '@azure/identity';
import type { TraceContext } from '../../application/workflow/trace';

export const TRACER_NAME = 'saga-workflow';

let provider: BasicTracerProvider | undefined;
let forcedSpanId: string | undefined;

/** Random ids, except for a span whose id the orchestrator already handed to its activities. */
class WorkflowIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  generateTraceId(): string {
    return this.random.generateTraceId();
  }
  generateSpanId(): string {
    const forced = forcedSpanId;
    forcedSpanId = undefined;
    return forced ?? this.random.generateSpanId();
  }
}

/** Processors added after setup (tests read finished spans this way). */
const added: SpanProcessor[] = [];
const forwarder: SpanProcessor = {
  onStart: (span, ctx) => added.forEach((p) => p.onStart(span, ctx)),
  onEnd: (span) => added.forEach((p) => p.onEnd(span)),
  forceFlush: async () => void (await Promise.all(added.map((p) => p.forceFlush()))),
  shutdown: async () => void (await Promise.all(added.map((p) => p.shutdown()))),
};

export function addSpanProcessor(processor: SpanProcessor): void {
  added.push(processor);
}

export function setupTracing(env: NodeJS.ProcessEnv = process.env): void {
  // OTEL_SDK_DISABLED=true (the OpenTelemetry convention): no provider, every span a no-op.
  if (provider || env.OTEL_SDK_DISABLED === 'true') return;
  const processors: SpanProcessor[] = [forwarder];
  const exporter = chooseExporter(env);
  // Short delay locally so a dashboard shows a step's spans while the request is still running.
  if (exporter)
    processors.push(
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: exporter.local ? 500 : 5000, maxQueueSize: 8192 }),
    );
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? env.WEBSITE_SITE_NAME ?? 'saga-workflow',
    }),
    idGenerator: new WorkflowIdGenerator(),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

/** Exports what is buffered (tests and a graceful shutdown). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

function chooseExporter(env: NodeJS.ProcessEnv): (SpanExporter & { local?: boolean }) | undefined {
  if (env.APPLICATIONINSIGHTS_CONNECTION_STRING) {
    // Loaded only in Azure: the package requires Node 22.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { AzureMonitorTraceExporter } =
      require('@azure/monitor-opentelemetry-exporter') as typeof import('@azure/monitor-opentelemetry-exporter');
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The component has local auth disabled (infra/modules/monitoring.bicep): send with the app's identity.
    const entra = /Authorization=AAD/i.test(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '');
    const clientId = /ClientId=([^;]+)/i.exec(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')?.[1];
    return new AzureMonitorTraceExporter({
      connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING,
      ...(entra
        ? { credential: new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}) }
        : {}),
    });
  }
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return Object.assign(new OTLPTraceExporter({ url }), { local: true });
}

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** A context whose parent is the given W3C trace context (or `base` unchanged when it is absent or malformed). */
export function contextFrom(parent: TraceContext | undefined, base: Context = context.active()): Context {
  if (!parent?.traceparent) return base;
  return propagation.extract(base, {
    traceparent: parent.traceparent,
    ...(parent.tracestate ? { tracestate: parent.tracestate } : {}),
  });
}

/** The W3C trace context of a span (undefined when tracing is off and the span has no valid id). */
export function traceContextOf(span: Span | SpanContext | undefined): TraceContext | undefined {
  const sc = span && 'spanContext' in span ? span.spanContext() : (span as SpanContext | undefined);
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(context.active(), sc), carrier);
  return carrier.traceparent
    ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) }
    : undefined;
}

export function activeTraceContext(): TraceContext | undefined {
  return traceContextOf(trace.getActiveSpan());
}

/** The next span started gets this id (the orchestrator derived it; see application/workflow/trace.ts). */
export function withSpanId<T>(spanId: string, start: () => T): T {
  forcedSpanId = spanId;
  try {
    return start();
  } finally {
    forcedSpanId = undefined;
  }
}
