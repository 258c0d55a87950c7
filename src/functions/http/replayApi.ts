/**
 * POST /api/events/replay: publish stored events again, for one request (`{ "requestId" }`) or for
 * every event that occurred in `[from, to)` (`{ "from", "to" }`, ISO 8601). An admin route (not under
 * /api/admin: Functions reserves routes starting with 'admin'), with authLevel 'function' like the
 * projection rebuild.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { replayEvents, type ReplaySelection } from '../../application/requests/replayEvents';
import { isValidRequestId, REQUEST_ID_RULE } from '../../domain/ids';
import { getServices } from '../../infrastructure/services';
import { handled } from './handle';
import { readJsonObject, rejectUnknownFields } from './input';
import { badRequest } from './problem';

/** A range replay reads every stream; a week is plenty for re-feeding a subscriber. */
const MAX_RANGE_MS = 7 * 24 * 3600 * 1000;

export function replaySelection(body: Record<string, unknown>): ReplaySelection {
  rejectUnknownFields(body, ['requestId', 'from', 'to']);
  if (body.requestId !== undefined) {
    if (body.from !== undefined || body.to !== undefined)
      throw badRequest("give either 'requestId' or 'from' and 'to', not both", 'requestId');
    if (typeof body.requestId !== 'string' || !isValidRequestId(body.requestId))
      throw badRequest(`'requestId' must be ${REQUEST_ID_RULE}`, 'requestId');
    return { requestId: body.requestId };
  }
  const time = (field: 'from' | 'to'): string => {
    const v = body[field];
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
      throw badRequest(`'${field}' must be an ISO 8601 time (or give 'requestId')`, field);
    return new Date(v).toISOString();
  };
  const from = time('from');
  const to = time('to');
  if (Date.parse(to) <= Date.parse(from)) throw badRequest("'to' must be after 'from'", 'to');
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_MS)
    throw badRequest("the range 'from'-'to' may span at most 7 days", 'to');
  return { from, to };
}

async function replay(request: HttpRequest): Promise<HttpResponseInit> {
  const selection = replaySelection(await readJsonObject(request));
  const s = await getServices();
  const report = await replayEvents(s, selection);
  return { status: report.failed.length > 0 ? 502 : 200, jsonBody: { selection, ...report } };
}

export function registerReplayApi(): void {
  app.http('replayEvents', {
    route: 'events/replay',
    methods: ['POST'],
    authLevel: 'function',
    handler: handled(replay),
  });
}
