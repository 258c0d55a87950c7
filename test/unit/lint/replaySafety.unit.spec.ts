import { expect } from 'chai';
import { lintSnippet } from './lintSnippet';

/**
 * Orchestrator code is replayed, so the lint config bans what breaks replay there. These tests lint
 * small snippets as if they were files of src/application/workflow/ and src/domain/.
 */
describe('lint rules for replay-safe orchestrators and a pure domain', function () {
  this.timeout(60_000);
  async function problems(code: string, file: string): Promise<string[]> {
    return (await lintSnippet(code, file)).map((m) => `${m.ruleId}: ${m.message}`);
  }

  const orchestratorFile = 'src/application/workflow/requestWorkflow.ts';

  for (const [what, code, expected] of [
    ['Date.now()', 'export const t = Date.now();', /currentUtcDateTime/],
    ['new Date()', 'export const t = new Date();', /non-deterministic/],
    ['Math.random()', 'export const r = Math.random();', /newGuid/],
    ['process.env', 'export const e = process.env.X;', /Configuration reaches the orchestrator as input/],
    [
      'a Node built-in',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;",
      /no-restricted-imports/,
    ],
    [
      'an Azure SDK client',
      "import { CosmosClient } from '@azure/cosmos';\nexport const c = CosmosClient;",
      /no-restricted-imports/,
    ],
    [
      'an adapter',
      "import { getServices } from '../../infrastructure/services';\nexport const s = getServices;",
      /no-restricted-imports/,
    ],
  ] as const) {
    it(`refuses ${what} in orchestrator code`, async () => {
      const found = await problems(code, orchestratorFile);
      expect(found.join('\n')).to.match(expected);
    });
  }

  it('accepts the time of the orchestration context', async () => {
    const found = await problems(
      "import type { OrchestrationContext } from 'durable-functions';\nexport const now = (c: OrchestrationContext): Date => c.df.currentUtcDateTime;\n",
      orchestratorFile,
    );
    expect(found).to.deep.equal([]);
  });

  it('refuses SDK imports and the clock in the domain', async () => {
    expect(
      (
        await problems(
          "import { TableClient } from '@azure/data-tables';\nexport const t = TableClient;",
          'src/domain/policies.ts',
        )
      ).join(),
    ).to.match(/no-restricted-imports/);
    expect((await problems('export const t = Date.now();', 'src/domain/policies.ts')).join()).to.match(
      /Time enters the domain as input/,
    );
  });

  it('flags a floating promise anywhere', async () => {
    const found = await problems(
      'async function f(): Promise<void> {}\nexport function g(): void { f(); }\n',
      'src/application/steps/recordStep.ts',
    );
    expect(found.join()).to.match(/no-floating-promises/);
  });
});
