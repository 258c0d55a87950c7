/**
 * Running one activity and turning its outcome into the history event the orchestrator gets
 * (docs/DURABLE_PROTOCOL.md §8.6).
 */
import { fromTypedData, invokeRegistration } from '../functions/invoke';
import type { Registration } from '../functions/types';
import { EventType, historyEvent, type HistoryEvent } from './history';
import { HTTP_ACTIVITY, runHttpActivity } from './httpActivity';

/** Lets a caller (the test kit) replace an activity: return `undefined` to run the real one. */
export type ActivityOverride = (
  name: string,
  input: unknown,
  runReal: () => Promise<unknown>,
  call: { instanceId: string; taskId: number },
) => Promise<unknown> | undefined;

export async function runActivity(
  registrations: Map<string, Registration>,
  call: { instanceId: string; taskId: number; name: string; inputJson: string },
  now: () => Date,
  override?: ActivityOverride,
  onLog?: (level: string, category: string, message: string) => void,
): Promise<HistoryEvent> {
  const { name, inputJson, taskId } = call;
  const reg = findActivity(registrations, name);
  const runReal = async (): Promise<unknown> => {
    if (name === HTTP_ACTIVITY) return runHttpActivity(JSON.parse(inputJson));
    if (!reg) throw new Error(`The function '${name}' doesn't exist, is disabled, or is not an activity function.`);
    const { returnValue } = await invokeRegistration(reg, { trigger: { json: inputJson }, onLog });
    return fromTypedData(returnValue);
  };
  try {
    const overridden = override?.(name, JSON.parse(inputJson), runReal, { instanceId: call.instanceId, taskId });
    const value = await (overridden ?? runReal());
    return historyEvent(EventType.TaskCompleted, now(), {
      TaskScheduledId: taskId,
      Result: JSON.stringify(value ?? null),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const details = err instanceof Error ? (err.stack ?? message) : String(err);
    return historyEvent(EventType.TaskFailed, now(), {
      TaskScheduledId: taskId,
      Reason: `Activity function '${name}' failed: ${message}`,
      Details: details,
    });
  }
}

/** Function names are case-insensitive in Azure Functions. */
function findActivity(registrations: Map<string, Registration>, name: string): Registration | undefined {
  const exact = registrations.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [n, r] of registrations) if (n.toLowerCase() === lower) return r;
  return undefined;
}
