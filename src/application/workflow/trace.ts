/**
 * W3C trace context as plain data, for crossing the Durable history (orchestrator input, activity
 * inputs). Pure: the orchestrator derives its execution's span id from the instance id and the
 * execution's start time, so every replay computes the same id and no span is created in replayed code.
 */
import { sha1 } from '../../domain/sha1';

export interface TraceContext {
  /** `00-<trace id>-<parent span id>-<flags>` */
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(
  traceparent: string | undefined,
): { traceId: string; spanId: string; flags: string } | undefined {
  const [, traceId, spanId, flags] = TRACEPARENT.exec(traceparent ?? '') ?? [];
  if (!traceId || !spanId || !flags || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/** The span id of one orchestration execution: the same on every replay of it. */
export function executionSpanId(instanceId: string, executionStartedAt: string): string {
  const hash = sha1(new TextEncoder().encode(`${instanceId}@${executionStartedAt}`));
  const hex = Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
  return /^0+$/.test(hex) ? '0000000000000001' : hex;
}

/** The context the execution's activities run under: the execution span as their parent. */
export function executionTrace(
  parent: TraceContext | undefined,
  instanceId: string,
  executionStartedAt: string,
): TraceContext | undefined {
  const p = parseTraceparent(parent?.traceparent);
  if (!p || !parent) return undefined;
  return {
    traceparent: `00-${p.traceId}-${executionSpanId(instanceId, executionStartedAt)}-${p.flags}`,
    ...(parent.tracestate ? { tracestate: parent.tracestate } : {}),
  };
}
