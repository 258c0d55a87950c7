/**
 * Structured logs: one JSON object per line with level, message, requestId, instanceId and the
 * active span's traceId/spanId, written through the invocation's logger (Application Insights traces
 * in Azure, the devhost's log locally).
 */
import type { InvocationContext } from '@azure/functions';
import { trace } from '@opentelemetry/api';

export type Level = 'information' | 'warning' | 'error';

export interface LogFields {
  requestId?: string;
  instanceId?: string;
  [field: string]: unknown;
}

export function logLine(
  context: InvocationContext | undefined,
  level: Level,
  message: string,
  fields: LogFields = {},
): void {
  const sc = trace.getActiveSpan()?.spanContext();
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    message,
    requestId: fields.requestId,
    instanceId: fields.instanceId,
    ...(sc ? { traceId: sc.traceId, spanId: sc.spanId } : {}),
    ...Object.fromEntries(
      Object.entries(fields).filter(([k, v]) => k !== 'requestId' && k !== 'instanceId' && v !== undefined),
    ),
  });
  const sink = context ?? console;
  if (level === 'error') sink.error(line);
  else if (level === 'warning') sink.warn(line);
  else sink.log(line);
}
