/**
 * The schema compatibility gate. Each CloudEvent type keeps, in schemas/golden/<type>/, payloads
 * that earlier versions of its schema accepted (a minimal one with only the required fields, and
 * the schema's examples). A schema change that rejects one of them — a removed or retyped field,
 * a new required field, a narrowed enum — is breaking, and must ship as a new type version (.v2)
 * beside the old one instead. Checked by `npm test`; `npm run schemas:golden` records the goldens
 * of a type that has none (a new type or a new version), never overwriting existing ones.
 *
 *   npm run schemas:golden
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const SCHEMAS_DIR = join(__dirname, '..', 'schemas');

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function schemaTypes(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Every reason the schemas in `dir` break a consumer of an earlier version (empty = compatible). */
export function compatibilityProblems(dir = SCHEMAS_DIR): string[] {
  const problems: string[] = [];
  const goldenRoot = join(dir, 'golden');
  const types = schemaTypes(dir);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const goldenTypes = existsSync(goldenRoot) ? readdirSync(goldenRoot).sort() : [];
  for (const type of goldenTypes) {
    if (!types.includes(type)) {
      problems.push(
        `${type}: the schema is gone but consumers of it exist (golden payloads in schemas/golden/${type}); keep it published`,
      );
      continue;
    }
    const validate = ajv.compile(readJson(join(dir, `${type}.json`)));
    for (const file of readdirSync(join(goldenRoot, type))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      if (!validate(readJson(join(goldenRoot, type, file)))) {
        const why = (validate.errors ?? [])
          .map(
            (e) =>
              `${e.instancePath || '/'} ${e.message}${e.params && 'missingProperty' in e.params ? ` '${String(e.params.missingProperty)}'` : ''}`,
          )
          .join('; ');
        problems.push(
          `${type}: rejects the earlier payload golden/${type}/${file} (${why}); a breaking change ships as a new type version beside this one`,
        );
      }
    }
  }
  for (const type of types) {
    if (!goldenTypes.includes(type))
      problems.push(`${type}: no golden payloads; run "npm run schemas:golden" to record them`);
    const m = /^(.*)\.v(\d+)$/.exec(type);
    if (!m) problems.push(`${type}: the type name must end in its version (.v1, .v2, …)`);
    else if (Number(m[2]) > 1 && !types.includes(`${m[1]}.v${Number(m[2]) - 1}`)) {
      problems.push(
        `${type}: published without ${m[1]}.v${Number(m[2]) - 1}; keep the previous version beside it for the transition`,
      );
    }
  }
  return problems;
}

/** The payloads to keep for a type: only its required fields (from the first example), and each example. */
export function goldenPayloads(schema: Record<string, unknown>): Record<string, unknown>[] {
  const examples = (schema.examples as Record<string, unknown>[] | undefined) ?? [];
  if (examples.length === 0) throw new Error(`schema ${String(schema.$id)} has no examples to record`);
  const required = (schema.required as string[] | undefined) ?? [];
  const minimal = Object.fromEntries(Object.entries(examples[0]!).filter(([k]) => required.includes(k)));
  return [minimal, ...examples];
}

export function recordMissingGoldens(dir = SCHEMAS_DIR): string[] {
  const written: string[] = [];
  for (const type of schemaTypes(dir)) {
    const target = join(dir, 'golden', type);
    if (existsSync(target)) continue;
    mkdirSync(target, { recursive: true });
    goldenPayloads(readJson(join(dir, `${type}.json`))).forEach((payload, i) => {
      const file = join(target, i === 0 ? 'minimal.json' : `example-${i}.json`);
      writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
      written.push(file);
    });
  }
  return written;
}

if (require.main === module) {
  const written = recordMissingGoldens();
  console.log(written.length ? `recorded:\n  ${written.join('\n  ')}` : 'every schema already has its golden payloads');
  const problems = compatibilityProblems();
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}
