/** Validates a POST /jobs body; each problem names its field. */
import type { Submission } from '../src/domain/events';
import { SCENARIOS } from './scenarios';

export type SubmissionCheck =
  { ok: true; submission: Submission } | { ok: false; errors: { field: string; message: string }[] };

export function parseSubmission(body: unknown): SubmissionCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object {requestId, attempt, payload}' }] };
  }
  const b = body as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  if (typeof b.requestId !== 'string' || b.requestId.length === 0)
    errors.push({ field: 'requestId', message: 'must be a non-empty string' });
  if (typeof b.attempt !== 'number' || !Number.isInteger(b.attempt) || b.attempt < 1)
    errors.push({ field: 'attempt', message: 'must be an integer >= 1' });
  const payload = b.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    errors.push({ field: 'payload', message: 'must be a JSON object' });
  } else {
    const scenario = (payload as Record<string, unknown>).scenario;
    if (scenario !== undefined && (typeof scenario !== 'string' || !(scenario in SCENARIOS))) {
      errors.push({
        field: 'payload.scenario',
        message: `must be one of ${Object.keys(SCENARIOS).join(', ')}; got ${JSON.stringify(scenario)}`,
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    submission: {
      requestId: b.requestId as string,
      attempt: b.attempt as number,
      payload: payload as Submission['payload'],
    },
  };
}
