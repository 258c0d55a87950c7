import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Parser } from '@asyncapi/parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { asyncApiDocument } from '../../../src/infrastructure/events/asyncApi';
import { knownWireTypes, schemaOf } from '../../../src/infrastructure/events/schemaRegistry';
import { compatibilityProblems, SCHEMAS_DIR } from '../../../scripts/schemaCompat';

async function parse(
  doc: unknown,
): Promise<{ errors: string[]; document: Awaited<ReturnType<Parser['parse']>>['document'] }> {
  const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
  return {
    document,
    errors: diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`),
  };
}

describe('AsyncAPI contract (generated from schemas/)', () => {
  const doc = asyncApiDocument({ schemaBaseUrl: 'https://example.test/api/schemas/' });

  it('is a valid AsyncAPI 3.0 document for @asyncapi/parser', async () => {
    const { errors, document } = await parse(doc);
    expect(errors).to.deep.equal([]);
    expect(document?.version()).to.equal('3.0.0');
  });

  it('has the topic as an https server, one channel per subject pattern and one CloudEvents message per type', async () => {
    const { document } = await parse(doc);
    const server = document!.servers().all()[0]!;
    expect(server.protocol()).to.equal('https');
    expect(server.pathname()).to.equal('/api/events');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).to.deep.equal(['requests/{requestId}']);
    const messages = document!.messages().all();
    expect(messages.map((m) => m.name()).sort()).to.deep.equal(knownWireTypes());
    expect(new Set(messages.map((m) => m.contentType()))).to.deep.equal(new Set(['application/cloudevents+json']));
  });

  it("each message's data is the type's JSON Schema, and dataschema its published URL", () => {
    const components = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    for (const type of knownWireTypes()) {
      const copy = components[type.replace(/\./g, '_')]!;
      const { $schema: _s, $id: _i, ...original } = schemaOf(type) as Record<string, unknown>;
      void _s;
      void _i;
      expect({ ...copy, 'x-schema-url': undefined }, type).to.deep.equal({ ...original, 'x-schema-url': undefined });
      expect(copy['x-schema-url']).to.equal(`https://example.test/api/schemas/${type}.json`);
    }
  });

  it('the parser rejects a broken payload schema (so the check above can fail)', async () => {
    const broken = JSON.parse(JSON.stringify(doc)) as {
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    broken.components.schemas.workflow_job_submitted_v1!.type = 'not-a-type';
    expect((await parse(broken)).errors.join('\n')).to.match(/workflow_job_submitted_v1/);
  });

  it('every schema compiles with Ajv 2020-12 in strict mode (the parser only checks draft-07)', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    for (const type of knownWireTypes()) expect(() => ajv.compile(schemaOf(type) as object), type).not.to.throw();
  });
});

describe('schema compatibility gate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    cpSync(SCHEMAS_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (type: string, change: (s: Record<string, unknown>) => void): void => {
    const file = join(dir, `${type}.json`);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(schema);
    writeFileSync(file, JSON.stringify(schema));
  };

  it('the committed schemas accept every earlier golden payload', () => {
    expect(compatibilityProblems()).to.deep.equal([]);
  });

  it('fails a new required field', () => {
    edit('workflow.request.completed.v1', (s) => {
      (s.properties as Record<string, unknown>).region = { type: 'string', description: 'x' };
      (s.required as string[]).push('region');
    });
    expect(compatibilityProblems(dir).join('\n')).to.match(
      /workflow\.request\.completed\.v1: rejects the earlier payload golden\/workflow\.request\.completed\.v1\/minimal\.json .*'region'/,
    );
  });

  it('fails a removed field and a narrowed enum', () => {
    edit('workflow.request.completed.v1', (s) => {
      delete (s.properties as Record<string, unknown>).reason;
      (s.properties as { outcome: { enum: string[] } }).outcome.enum = ['Pass', 'Fail', 'Cancelled'];
    });
    const problems = compatibilityProblems(dir).join('\n');
    expect(problems).to.contain('example-1.json');
    expect(problems).to.match(/reason|allowed values/);
  });

  it('accepts the breaking change shipped as .v2 beside .v1, and refuses .v2 without .v1', () => {
    const v1 = join(dir, 'workflow.request.completed.v1.json');
    const v2 = JSON.parse(readFileSync(v1, 'utf8')) as Record<string, unknown>;
    (v2.properties as Record<string, unknown>).region = { type: 'string', description: 'x' };
    (v2.required as string[]).push('region');
    v2.examples = [{ ...(v2.examples as object[])[0], region: 'eu' }];
    writeFileSync(join(dir, 'workflow.request.completed.v2.json'), JSON.stringify(v2));
    expect(compatibilityProblems(dir)).to.deep.equal([
      'workflow.request.completed.v2: no golden payloads; run "npm run schemas:golden" to record them',
    ]);
    rmSync(v1);
    expect(compatibilityProblems(dir).join('\n')).to.contain(
      'workflow.request.completed.v1: the schema is gone but consumers of it exist',
    );
    expect(compatibilityProblems(dir).join('\n')).to.contain('published without workflow.request.completed.v1');
  });
});
