/**
 * The schema registry over HTTP, anonymous so consumers can discover it: GET /api/schemas lists the
 * types, GET /api/schemas/asyncapi.json is the AsyncAPI 3.0 contract, GET /api/schemas/{type}.json
 * each JSON Schema (point EVENT_SCHEMA_BASE_URL at https://<app>/api/schemas/ and every event's
 * `dataschema` resolves here).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { asyncApiDocument } from '../../infrastructure/events/asyncApi';
import { SETTINGS } from '../../infrastructure/config/settings';
import { knownWireTypes, schemaOf, schemaUrlFor } from '../../infrastructure/events/schemaRegistry';
import { handled } from './handle';
import { notFound } from './problem';

/** Read alone (not through getServices) so the registry answers even when the stores are down. */
function baseUrl(): string {
  return process.env.EVENT_SCHEMA_BASE_URL || String(SETTINGS.find((s) => s.name === 'EVENT_SCHEMA_BASE_URL')?.default);
}

async function listSchemas(request: HttpRequest): Promise<HttpResponseInit> {
  const self = `${new URL(request.url).origin}/api/schemas/`;
  return {
    jsonBody: {
      asyncapi: `${self}asyncapi.json`,
      types: knownWireTypes().map((type) => ({
        type,
        schema: `${self}${type}.json`,
        dataschema: schemaUrlFor(type, baseUrl()),
      })),
    },
  };
}

async function getSchema(request: HttpRequest): Promise<HttpResponseInit> {
  const name = request.params.name ?? '';
  const headers = { 'cache-control': 'public, max-age=300' };
  if (name === 'asyncapi.json') return { headers, jsonBody: asyncApiDocument({ schemaBaseUrl: baseUrl() }) };
  const schema = name.endsWith('.json') ? schemaOf(name.slice(0, -'.json'.length)) : undefined;
  if (!schema) throw notFound(`no schema '${name}'; GET /api/schemas lists them`);
  return { headers: { ...headers, 'content-type': 'application/schema+json' }, body: JSON.stringify(schema, null, 2) };
}

export function registerSchemasApi(): void {
  app.http('listSchemas', {
    route: 'schemas',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: handled(listSchemas),
  });
  app.http('getSchema', {
    route: 'schemas/{name}',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: handled(getSchema),
  });
}
