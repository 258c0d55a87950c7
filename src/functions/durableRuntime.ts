/** WorkflowRuntime over the Durable Functions client. */
import type { HttpRequest } from '@azure/functions';
import type * as df from 'durable-functions';
import type { InstanceInfo, InstanceState, WorkflowRuntime } from '../application/requests/workflowRuntime';
import type { WorkflowInput } from '../application/workflow/contracts';
import { ORCHESTRATOR } from '../application/workflow/contracts';
import { traceContextOf } from '../infrastructure/telemetry/tracing';
import { startSpan } from './telemetry';

export function durableRuntime(client: df.DurableClient, request?: HttpRequest): WorkflowRuntime {
  return {
    async status(instanceId): Promise<InstanceInfo | undefined> {
      try {
        const s = await client.getStatus(instanceId, { showInput: false });
        if (!s || !s.runtimeStatus) return undefined;
        return {
          instanceId,
          runtimeStatus: s.runtimeStatus as InstanceState,
          customStatus: s.customStatus,
          output: s.output,
          createdTime: toIso(s.createdTime),
          lastUpdatedTime: toIso(s.lastUpdatedTime),
        };
      } catch (e) {
        // The client throws on 404 ("...replied with HTTP 404 response...").
        if (/404/.test((e as Error).message)) return undefined;
        throw e;
      }
    },
    async start(instanceId: string, input: WorkflowInput): Promise<void> {
      // The request's trace continues from the work item (POST /api/requests) or starts here.
      await startSpan(ORCHESTRATOR, instanceId, input.trace, async (span) => {
        const trace = traceContextOf(span);
        await client.startNew(ORCHESTRATOR, { instanceId, input: { ...input, ...(trace ? { trace } : {}) } });
      });
    },
    async raiseCancel(instanceId: string, reason: string): Promise<void> {
      await client.raiseEvent(instanceId, 'cancel', { reason });
    },
    managementLinks(instanceId: string): Record<string, string> {
      const payload = client.createHttpManagementPayload(instanceId) as unknown as Record<string, string>;
      const origin = request ? new URL(request.url).origin : undefined;
      return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, k === 'id' ? v : publicLink(v, origin)]));
    },
  };
}

/**
 * A management link fit to hand out: in Azure the payload carries `code=<durabletask_extension
 * system key>`, which grants every Durable HTTP API operation on every instance, so it is dropped
 * (a caller adds its own key); the origin becomes the request's when there is one.
 */
export function publicLink(url: string, origin?: string): string {
  const withoutKey = url
    .replace(/([?&])code=[^&]*(&|$)/, (_m, lead: string, tail: string) => (tail ? lead : ''))
    .replace(/[?&]$/, '');
  if (!origin) return withoutKey;
  const at = /^https?:\/\/[^/]+/.exec(withoutKey);
  return at ? origin + withoutKey.slice(at[0].length) : withoutKey;
}

function toIso(d: Date | string | undefined): string | undefined {
  if (!d) return undefined;
  return typeof d === 'string' ? d : d.toISOString();
}
