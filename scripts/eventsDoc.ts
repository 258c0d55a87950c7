/**
 * docs/EVENTS.md is generated from the JSON Schemas (the registry), so the catalog cannot drift:
 * `npm run docs:events` rewrites it and a unit test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUEST_EVENT_TYPES } from '../src/domain/events';
import { WIRE_TYPES } from '../src/infrastructure/events/wireTypes';
import { schemaOf } from '../src/infrastructure/events/schemaRegistry';

interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  properties?: Record<string, PropertySchema>;
}

export function renderEventsDoc(): string {
  const lines = [
    '# Event catalog',
    '',
    '<!-- Generated from schemas/*.json by `npm run docs:events`; a test fails when this file is stale. -->',
    '',
    'Every event is stored in the Cosmos `events` container (one document per event, `id` = stream version) and published to',
    'Event Grid as a CloudEvent 1.0: `id` = the deterministic event id (UUIDv5 of `requestId/version`), `source` = `EVENT_SOURCE`,',
    '`subject` = `requests/{requestId}`, `time` = the orchestration time of the step, `dataschema` = the schema URL below, and the',
    'extensions `sequence` (stream version, zero-padded to 16 digits), `correlationid`, `causationid` and, when known, `traceparent`.',
    'Consumers order by `sequence` and drop duplicates by `id` (delivery is at least once).',
    '',
    'The app serves these schemas and the AsyncAPI 3.0 contract at `GET /api/schemas` (see [SUBSCRIBERS.md](SUBSCRIBERS.md));',
    'a schema change that would reject an earlier payload fails `npm test` unless it ships as a new type version (`.v2`).',
    '',
    '| CloudEvents type | domain event | produced when |',
    '|---|---|---|',
  ];
  for (const t of REQUEST_EVENT_TYPES) {
    const wire = WIRE_TYPES[t];
    lines.push(`| \`${wire}\` | ${t} | ${String(schemaOf(wire)?.description ?? '')} |`);
  }
  for (const t of REQUEST_EVENT_TYPES) {
    const wire = WIRE_TYPES[t];
    const schema = schemaOf(wire) as
      | { $id?: string; description?: string; required?: string[]; properties?: Record<string, PropertySchema> }
      | undefined;
    lines.push(
      '',
      `## \`${wire}\``,
      '',
      String(schema?.description ?? ''),
      '',
      `Schema: \`schemas/${wire}.json\` (\`${schema?.$id ?? ''}\`)`,
      '',
      '| field | type | required | description |',
      '|---|---|---|---|',
    );
    for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
      lines.push(
        `| \`${name}\` | ${typeOf(prop)} | ${schema?.required?.includes(name) ? 'yes' : 'no'} | ${(prop.description ?? '').replace(/\|/g, '\\|')} |`,
      );
    }
  }
  lines.push('', 'Retired: `workflow.job.pollrequested.v1` (its scheduler was replaced by durable timers).', '');
  return lines.join('\n');
}

function typeOf(p: PropertySchema): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const t = Array.isArray(p.type) ? p.type.join(' \\| ') : (p.type ?? 'any');
  return p.format ? `${t} (${p.format})` : t;
}

if (require.main === module) {
  writeFileSync(join(__dirname, '..', 'docs', 'EVENTS.md'), renderEventsDoc());
  console.log('docs/EVENTS.md written');
}
