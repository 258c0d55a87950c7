/**
 * Spans (and step logs) around the thin registrations: HTTP triggers as SERVER spans continuing the
 * caller's traceparent, each activity as a child of its orchestration execution (context carried in
 * the activity input), and each orchestration execution as one span emitted once, outside replay.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { OrchestrationContext, Task } from 'durable-functions';
import { executionSpanId, executionTrace, type TraceContext } from '../application/workflow/trace';
import { failSpan, inSpan } from '../infrastructure/telemetry/spans';
import { contextFrom, tracer, withSpanId } from '../infrastructure/telemetry/tracing';
import { logLine } from './log';

type Handler<A extends unknown[]> = (request: HttpRequest, ...rest: A) => Promise<HttpResponseInit>;

/** One SERVER span per HTTP call (HTTP semantic conventions), child of the caller's `traceparent` when given. */
export function httpSpan<A extends unknown[]>(route: string, fn: Handler<A>): Handler<A> {
  return (request, ...rest) => {
    const url = new URL(request.url);
    const parent = contextFrom(
      {
        traceparent: request.headers.get('traceparent') ?? '',
        tracestate: request.headers.get('tracestate') ?? undefined,
      },
      ROOT_CONTEXT,
    );
    return inSpan(
      `${request.method} /api/${route}`,
      {
        kind: SpanKind.SERVER,
        parent,
        attributes: {
          'http.request.method': request.method,
          'http.route': `/api/${route}`,
          'url.path': url.pathname,
          'url.scheme': url.protocol.replace(':', ''),
          'server.address': url.hostname,
        },
      },
      async (span) => {
        const response = await fn(request, ...rest);
        const status = response.status ?? 200;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      },
    );
  };
}

interface ActivityInput {
  requestId?: string;
  trace?: TraceContext;
  expectedVersion?: number;
}

/** The activity's SERVER span, child of the execution span whose context the orchestrator put in the input. */
export function activitySpan<T>(
  activity: string,
  input: unknown,
  context: InvocationContext,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const given = (input ?? {}) as ActivityInput;
  const carried =
    given.trace ??
    (context.traceContext?.traceParent
      ? { traceparent: context.traceContext.traceParent, tracestate: context.traceContext.traceState ?? undefined }
      : undefined);
  return inSpan(
    `activity:${activity}`,
    {
      kind: SpanKind.SERVER,
      parent: contextFrom(carried, ROOT_CONTEXT),
      attributes: {
        'durabletask.type': 'activity',
        'durabletask.task.name': activity,
        ...(given.requestId ? { 'durabletask.task.instance_id': given.requestId } : {}),
      },
    },
    async (span) => {
      const started = Date.now();
      try {
        const result = await run(span);
        logStepOutcome(context, activity, given, result, Date.now() - started);
        return result;
      } catch (e) {
        logLine(context, 'warning', `${activity} failed (will be retried): ${(e as Error)?.message ?? String(e)}`, {
          requestId: given.requestId,
          instanceId: given.requestId,
          step: activity,
        });
        throw e;
      }
    },
  );
}

/** One log line per step outcome; a poll that changed nothing logs nothing. */
function logStepOutcome(
  context: InvocationContext,
  activity: string,
  input: ActivityInput,
  result: unknown,
  ms: number,
): void {
  const r = (result ?? {}) as { ok?: boolean; version?: number; error?: string; status?: string; published?: number };
  const fields = {
    requestId: input.requestId,
    instanceId: input.requestId,
    step: activity,
    durationMs: ms,
    version: r.version,
  };
  if (r.ok === false) return logLine(context, 'warning', `${activity} refused: ${r.error}`, fields);
  if (r.version !== undefined && r.version === input.expectedVersion) return; // nothing changed
  const what = r.status
    ? `${activity} → ${r.status}`
    : r.published !== undefined
      ? `${activity}: ${r.published} published`
      : `${activity} done`;
  logLine(context, 'information', what, fields);
}

interface ExecutionInput {
  requestId?: string;
  trace?: TraceContext;
  carried?: { attempt?: number; phase?: string };
}

/**
 * Wraps an orchestrator so each execution becomes one span, created only in the episode that ends the
 * execution (never in replayed code), with the id the orchestrator derived for its activities' parent.
 */
export function tracedOrchestrator<R>(
  name: string,
  orchestrator: (context: OrchestrationContext) => Generator<Task, R, unknown>,
) {
  return function* traced(context: OrchestrationContext): Generator<Task, R, unknown> {
    const startedAt = context.df.currentUtcDateTime.toISOString();
    const input = (context.df.getInput<ExecutionInput>() ?? {}) as ExecutionInput;
    let failure: unknown;
    try {
      return yield* orchestrator(context);
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      if (!context.df.isReplaying) emitExecutionSpan(name, context, input, startedAt, failure);
    }
  };
}

function emitExecutionSpan(
  name: string,
  context: OrchestrationContext,
  input: ExecutionInput,
  startedAt: string,
  failure: unknown,
): void {
  const own = executionTrace(input.trace, context.df.instanceId, startedAt);
  if (!own) return;
  const span = withSpanId(executionSpanId(context.df.instanceId, startedAt), () =>
    tracer().startSpan(
      `orchestration:${name}`,
      {
        kind: SpanKind.SERVER,
        startTime: new Date(startedAt),
        attributes: {
          'durabletask.type': 'orchestration',
          'durabletask.task.name': name,
          'durabletask.task.instance_id': context.df.instanceId,
          ...(input.carried?.phase ? { 'workflow.phase': input.carried.phase } : {}),
          ...(input.carried?.attempt ? { 'workflow.attempt': input.carried.attempt } : {}),
        },
      },
      contextFrom(input.trace, ROOT_CONTEXT),
    ),
  );
  if (failure !== undefined) failSpan(span, failure);
  span.end(context.df.currentUtcDateTime);
}

/** A span for starting an orchestration: child of `parent` (the work item's trace) or a new trace. */
export function startSpan<T>(
  orchestrator: string,
  instanceId: string,
  parent: TraceContext | undefined,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(
    `create_orchestration:${orchestrator}`,
    {
      kind: SpanKind.PRODUCER,
      parent: contextFrom(parent, ROOT_CONTEXT),
      attributes: {
        'durabletask.type': 'orchestration',
        'durabletask.task.name': orchestrator,
        'durabletask.task.instance_id': instanceId,
      },
    },
    run,
  );
}
