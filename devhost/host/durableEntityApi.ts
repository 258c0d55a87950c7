/**
 * The entities/ routes of the Durable HTTP API (HttpApiHandler.cs: HandleGetEntityRequestAsync,
 * HandleListEntitiesRequestAsync, HandlePostEntityOperationRequestAsync):
 *
 *   GET    entities/{name}/{key}        200 with the state, 404 when the entity does not exist
 *   GET    entities/{name?}             the entities (of that name), paged like instances/
 *   POST   entities/{name}/{key}?op=X   signal X with the body as input; 202
 *   DELETE entities/{name}/{key}        signal "delete"; 202
 *
 * The key `$` stands for the empty key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnknownEntityError, type TaskHubApi } from '../durable/api';
import type { QueryReader } from './durableQuery';
import { DEFAULT_PAGE_SIZE, formatTime, headerValue } from './durableHttpApi';
import { mediaType, readBody, sendError, sendJson } from './httpUtil';

export interface EntityRouteContext {
  taskHub: TaskHubApi;
  log: (level: 'information' | 'warning' | 'error', message: string) => void;
  maxBodyBytes?: number;
}

/** Handles entities/{name?}/{key?}; false when the method has no route (the caller answers 404). */
export async function handleEntityRequest(
  ctx: EntityRouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string | undefined,
  key: string | undefined,
  query: QueryReader,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') return false;
  const entities = ctx.taskHub.entities;
  if (!entities) {
    sendError(res, 501, 'This task hub does not run durable entities.');
    return true;
  }
  if (method === 'GET' && !key) {
    const top = query.int('top');
    const page = await entities.listEntities({
      name: name || undefined,
      lastOperationFrom: query.date('lastOperationTimeFrom'),
      lastOperationTo: query.date('lastOperationTimeTo'),
      top: top !== undefined && top > 0 ? top : DEFAULT_PAGE_SIZE,
      continuationToken: headerValue(req, 'x-ms-continuation-token') || undefined,
      fetchState: query.flag('fetchState', false),
    });
    const items = page.items.map((e) => ({ ...e, lastOperationTime: formatTime(e.lastOperationTime) }));
    sendJson(res, 200, items, { 'x-ms-continuation-token': page.continuationToken ?? '' });
    return true;
  }
  if (!name) {
    sendError(res, 400, 'The entity name must not be empty (EntityId requires a name).');
    return true;
  }
  const entity = { name: name.toLowerCase(), key: key === '$' || key === undefined ? '' : key };
  if (method === 'GET') {
    const read = await entities.readEntityState(entity);
    if (!read.exists) sendError(res, 404, `No entity '@${entity.name}@${entity.key}' exists.`);
    else sendJson(res, 200, read.state ?? null);
    return true;
  }
  const operation = method === 'DELETE' ? 'delete' : (query.string('op') ?? '');
  const body = await readBody(req, ctx.maxBodyBytes);
  let input: unknown;
  if (body.length > 0) {
    const text = body.toString('utf8');
    if (mediaType(req) === 'application/json') {
      try {
        input = JSON.parse(text);
      } catch (e) {
        sendError(res, 400, `Could not parse JSON content: ${(e as Error).message}`);
        return true;
      }
    } else input = text;
  }
  try {
    await entities.signalEntity(entity, operation, input);
  } catch (e) {
    if (e instanceof UnknownEntityError) {
      sendError(res, 400, e.message);
      return true;
    }
    throw e;
  }
  res.writeHead(202, { 'Content-Length': '0' }).end();
  return true;
}
