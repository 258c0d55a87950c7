import { expect } from 'chai';
import { lintSnippet } from './lintSnippet';

/**
 * devhost/ is a package of its own (@saga/devhost). `npm run lint` enforces the boundary; these tests lint
 * snippets as if they were files of devhost/, the tests and the app, and show which imports it refuses.
 */
describe('lint rule for the devhost package boundary', function () {
  this.timeout(60_000);
  async function boundaryProblems(code: string, file: string): Promise<string[]> {
    return (await lintSnippet(code, file)).filter((m) => m.ruleId === 'boundaries/package').map((m) => m.message);
  }

  const devhostFile = 'devhost/durable/store/tableStore.ts';

  for (const [what, code] of [
    [
      'an import from src/',
      "import { isLoopbackUrl } from '../../../src/infrastructure/http/loopback';\nexport const f = isLoopbackUrl;",
    ],
    [
      'an import from mock/',
      "import { startMockService } from '../../../mock/server';\nexport const f = startMockService;",
    ],
    [
      'a type-only import from src/',
      "import type { Services } from '../../../src/infrastructure/services';\nexport type S = Services;",
    ],
    ['a re-export from src/', "export { validateEventData } from '../../../src/infrastructure/events/schemaRegistry';"],
    ['a require() of src/', "export const app: unknown = require('../../../src/index');"],
  ] as const) {
    it(`refuses ${what} in devhost/`, async () => {
      const found = await boundaryProblems(code, devhostFile);
      expect(found).to.have.length(1);
      expect(found[0]).to.match(/leaves @saga\/devhost \(devhost\/\)/);
    });
  }

  it('accepts imports inside devhost/ and of its dependencies', async () => {
    const code =
      "import { TableClient } from '@azure/data-tables';\nimport type { HistoryEvent } from '../../durable/history';\nimport { isLoopbackUrl } from '../../localstack/loopback';\nexport const x = [TableClient, isLoopbackUrl];\nexport type H = HistoryEvent;\n";
    expect(await boundaryProblems(code, devhostFile)).to.deep.equal([]);
  });

  it('accepts the shared dashboard/server and nothing else of dashboard/', async () => {
    const file = 'devhost/host/dashboard.ts';
    expect(
      await boundaryProblems(
        "import { timelineOf } from '../../dashboard/server/timeline';\nexport const t = timelineOf;",
        file,
      ),
    ).to.deep.equal([]);
    const outside = await boundaryProblems("export const app: unknown = require('../../dashboard/app.js');", file);
    expect(outside.join()).to.match(/leaves @saga\/devhost/);
  });

  it('refuses a deep path into devhost/ from the tests and accepts the package exports', async () => {
    const file = 'test/replay/fakeSteps.ts';
    const deep = await boundaryProblems(
      "import { createTestHost } from '../../devhost/testkit';\nexport const f = createTestHost;",
      file,
    );
    expect(deep.join()).to.match(/reaches into devhost\/ by path: import it as @saga\/devhost/);
    expect(
      await boundaryProblems(
        "import { createTestHost } from '@saga/devhost/testkit';\nexport const f = createTestHost;",
        file,
      ),
    ).to.deep.equal([]);
  });

  it('refuses the devhost in the deployed app', async () => {
    const found = await boundaryProblems(
      "import { startDevHost } from '@saga/devhost';\nexport const f = startDevHost;",
      'src/index.ts',
    );
    expect(found.join()).to.match(/src\/ is deployed without @saga\/devhost/);
  });
});
