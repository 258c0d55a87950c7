/**
 * Reasons shown to operators (custom status, intake row, workflow output). Errors from the SDK
 * carry the activity's stack after the first line (`Reason \n Details`), and the Durable extension
 * refuses a custom status over 16 KB of UTF-16 (DurableOrchestrationContext.SetCustomStatus), which
 * fails the orchestration. So a reason is its first non-empty line, at most REASON_MAX_CHARS long.
 */
export const REASON_MAX_CHARS = 500;

export function conciseReason(text: string): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length <= REASON_MAX_CHARS ? line : `${line.slice(0, REASON_MAX_CHARS - 1)}…`;
}

/** The extension's size rule for a custom status: whole KB of its UTF-16 JSON, at most 16 (MessagePayloadDataConverter.Serialize). */
export function customStatusSizeKb(value: unknown): number {
  return Math.trunc((JSON.stringify(value ?? null).length * 2) / 1024);
}

export const CUSTOM_STATUS_MAX_KB = 16;
