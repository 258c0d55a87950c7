/**
 * `npm run bench:dashboard [-- --requests N --runs R]`: first paint of the dashboard's request list with
 * N requests in the projection (default 10,000), in Debian's chromium. The stack runs as `npm test`'s
 * e2e tests run it (emulators, the app in a devhost child process); the views are written through the
 * app's own adapters (admission events appended and projected), across every stage. Prints the median
 * of R fresh page loads: navigation start → the first page of rows on screen, → the counts on screen, plus the
 * list API's own time with and without counts. Loads are `--pause-ms` apart (default 11 s), so one page's
 * live feed does not compete with the next page's first paint; `--pause-ms 0` measures with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/support/chromium';
import { decide } from '../src/domain/decide';
import { initialRequestState } from '../src/domain/state';
import { loadConfig } from '../src/infrastructure/config/loadConfig';
import { buildServices } from '../src/infrastructure/services';
import { localSettings, startLocalStack } from '../localdev/demo/localStack';
import { startProcessHost } from '@saga/devhost';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const requests = arg('--requests', 10_000);
  const runs = arg('--runs', 7);
  // Each load on a quiet server: the previous page's live-feed request (up to 10 s) has ended.
  const pauseMs = arg('--pause-ms', 11_000);
  const stack = await startLocalStack({ cosmosProcess: true });
  const settings = localSettings(stack, { DISCOVERY_SCHEDULE: '0 0 0 1 1 *' });
  const host = await startProcessHost({
    appDir: path.join(__dirname, '..'),
    storage: stack.azurite.connectionString,
    env: { ...settings, DEVHOST_QUIET: '1' },
  });
  const profile = mkdtempSync(path.join(tmpdir(), 'bench-dashboard-'));
  try {
    const s = await buildServices(loadConfig(settings));
    const t0 = performance.now();
    const queue = Array.from({ length: requests }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const id = `bench-${String(i).padStart(5, '0')}`;
          const now = new Date(Date.now() - (requests - i) * 1000).toISOString();
          const events = decide(
            {
              type: 'Admit',
              requestId: id,
              intake: { partitionKey: 'bench', rowKey: id },
              payload: { scenario: 'pass', note: `<b>${i}</b>` },
              now,
            },
            initialRequestState(),
          );
          const appended = await s.eventStore.appendToStream(id, events, {
            expectedVersion: 0,
            occurredAt: now,
            metadata: { correlationId: id, causationId: `${id}/bench` },
          });
          await s.projection.apply(id, appended.events);
        }
      }),
    );
    console.log(`seeded ${requests} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const timeApi = async (query: string): Promise<number> => {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        const res = await fetch(`${host.url}/api/dashboard/api/requests?${query}`);
        await res.text();
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const apiWithCounts = await timeApi('top=50');
    const apiWithoutCounts = await timeApi('top=50&counts=false');

    const context = await launchChromium(profile);
    const paints: number[] = [];
    const fcps: number[] = [];
    const countPaints: number[] = [];
    for (let r = 0; r < runs; r++) {
      const page = await context.newPage();
      await page.goto(`${host.url}/api/dashboard`);
      // Browser-side code as strings: this file compiles without the DOM library.
      await page.waitForFunction(`document.querySelectorAll('#requests tbody tr').length === 50`, undefined, {
        polling: 'raf',
      });
      paints.push(await page.evaluate<number>('performance.now()'));
      await page.waitForFunction(`/^\\d+$/.test(document.querySelector('.counts b')?.textContent ?? '')`, undefined, {
        polling: 'raf',
      });
      countPaints.push(await page.evaluate<number>('performance.now()'));
      fcps.push(
        await page.evaluate<number>(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN`),
      );
      await page.close();
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    await context.close();
    const result = {
      requests,
      runs,
      firstPaintWithRowsMs: Math.round(median(paints)),
      countsOnScreenMs: Math.round(median(countPaints)),
      firstContentfulPaintMs: Math.round(median(fcps)),
      listApiWithCountsMs: Math.round(apiWithCounts),
      listApiWithoutCountsMs: Math.round(apiWithoutCounts),
      allPaintsMs: paints.map(Math.round),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(profile, { recursive: true, force: true });
    await host.stop();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
