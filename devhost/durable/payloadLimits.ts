/**
 * Payload limits the Durable extension enforces while it replays an orchestrator's state.
 * MessagePayloadDataConverter.Serialize measures the JSON in UTF-16 bytes, truncates to whole KB,
 * and throws when that exceeds the limit; SetCustomStatus uses 16 KB
 * (DurableOrchestrationContext.cs), which fails the orchestration in Azure.
 */
export const MAX_CUSTOM_STATUS_KB = 16;

/** The failure Azure reports for this custom status, or undefined when it fits. */
export function customStatusProblem(customStatus: unknown): string | undefined {
  if (customStatus === undefined) return undefined;
  const kb = Math.trunc((JSON.stringify(customStatus).length * 2) / 1024);
  if (kb <= MAX_CUSTOM_STATUS_KB) return undefined;
  return `The UTF-16 size of the JSON-serialized payload must not exceed ${MAX_CUSTOM_STATUS_KB} KB. The current payload size is ${kb.toLocaleString('en-US')} KB.`;
}
