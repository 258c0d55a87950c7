/**
 * The event schema registry: one JSON Schema (draft 2020-12) per CloudEvent type in the repo's
 * `schemas/` folder, named `<wireType>.json`. Every event's data is validated against it before
 * publishing, and its URL becomes the CloudEvent `dataschema`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

interface Registry {
  directory: string;
  schemas: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  validators: ReadonlyMap<string, ValidateFunction>;
}

let registry: Registry | undefined;

/** Validates an event's data; each error names the field path, e.g. "/externalJobId must be string". */
export function validateEventData(wireType: string, data: unknown): ValidationResult {
  const validate = load().validators.get(wireType);
  if (!validate) {
    return {
      ok: false,
      errors: [
        `unknown event type '${wireType}': no schema ${wireType}.json in ${load().directory} (known: ${knownWireTypes().join(', ')})`,
      ],
    };
  }
  if (validate(data)) return { ok: true };
  return { ok: false, errors: (validate.errors ?? []).map(describeError) };
}

/** The CloudEvent `dataschema` of a type: `<baseUrl>/<wireType>.json`. */
export function schemaUrlFor(wireType: string, baseUrl: string): string {
  return new URL(`${wireType}.json`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

/** Every wire type with a schema, sorted. */
export function knownWireTypes(): string[] {
  return [...load().schemas.keys()].sort();
}

/** The parsed schema document of a type (for docs generation), or undefined. */
export function schemaOf(wireType: string): Readonly<Record<string, unknown>> | undefined {
  return load().schemas.get(wireType);
}

/** The schemas/ folder in use. */
export function schemasDirectory(): string {
  return load().directory;
}

function load(): Registry {
  if (registry) return registry;
  const directory = findSchemasDirectory(__dirname);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const schemas = new Map<string, Readonly<Record<string, unknown>>>();
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(directory)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const wireType = file.slice(0, -'.json'.length);
    let schema: Record<string, unknown>;
    try {
      schema = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Record<string, unknown>;
      validators.set(wireType, ajv.compile(schema));
    } catch (e) {
      throw new Error(`schema ${join(directory, file)} is invalid: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
    schemas.set(wireType, Object.freeze(schema));
  }
  registry = { directory, schemas, validators };
  return registry;
}

/**
 * Walks up to the project root (a folder with package.json and schemas/), so the same code finds
 * the schemas from src/ under tsx and from dist/src/ when compiled.
 */
function findSchemasDirectory(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate) && statSync(candidate).isDirectory())
      return candidate;
    if (dirname(dir) === dir) throw new Error(`no schemas/ folder beside a package.json above ${start}`);
  }
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  switch (e.keyword) {
    case 'required':
      return `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)} is required`;
    case 'additionalProperties':
      return `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)} is not allowed`;
    case 'enum':
      return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
    default:
      return `${at} ${e.message ?? 'is invalid'}`;
  }
}
