import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium';
import { localSettings, startLocalStack, type LocalStack } from '../../localdev/demo/localStack';
import { startProcessHost, type ProcessHost } from '@saga/devhost';

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against the devhost and
 * the real local servers: list → filter → open a request → its timeline, events and trace → cancel a
 * running one → watch it reach Cancelled without reloading. Screenshots go to a temporary folder, or to
 * docs/screenshots/ with UPDATE_SCREENSHOTS=1 (so a test run leaves the committed ones alone).
 */
const CHROMIUM = CHROMIUM_PATH;
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(__dirname, '..', '..', 'docs', 'screenshots')
    : mkdtempSync(path.join(tmpdir(), 'dashboard-shots-'));

describe('dashboard in chromium (devhost + real local servers)', function () {
  this.timeout(240_000);
  let stack: LocalStack;
  let host: ProcessHost;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `chromium is not installed at ${CHROMIUM}: install it with "sudo apt-get install -y chromium" (.ci/run does this in CI), or set CHROMIUM_PATH`,
      );
    }
    stack = await startLocalStack();
    const settings = localSettings(stack, { DISCOVERY_SCHEDULE: '0 0 0 1 1 *', WORKFLOW_DEADLINE_SECONDS: '300' });
    host = await startProcessHost({
      appDir: path.join(__dirname, '..', '..'),
      storage: stack.azurite.connectionString,
      env: { ...settings, DEVHOST_QUIET: '1' },
    });
    profile = mkdtempSync(path.join(tmpdir(), 'dashboard-chromium-'));
    // An empty profile directory (playwright passes it as --user-data-dir).
    browser = await launchChromium(profile, { viewport: { width: 1280, height: 900 } });
    page = await browser.newPage();
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
    await stack?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function add(id: string, payload: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${host.url}/api/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, payload, start: true }),
    });
    expect(res.status, await res.text()).to.equal(202);
  }
  async function untilView(id: string, ok: (v: { stage?: string; outcome?: string }) => boolean): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${host.url}/api/requests/${id}`);
      const body = (await res.json()) as { view?: { stage?: string; outcome?: string } | null };
      if (body.view && ok(body.view)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${id} did not get there`);
  }

  it('lists, filters, shows one request in full, and shows a cancel arrive live', async () => {
    await add('ui-pass-1', {
      scenario: 'pass',
      note: '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">',
    });
    await add('ui-fail-1', { scenario: 'fail' });
    await add('ui-never-1', { scenario: 'never' });
    await untilView('ui-pass-1', (v) => v.stage === 'Completed');
    await untilView('ui-fail-1', (v) => v.stage === 'Completed');
    await untilView('ui-never-1', (v) => v.stage === 'Polling');

    // list
    await page.goto(`${host.url}/api/dashboard`);
    await page.locator('#requests tbody tr[data-id="ui-never-1"]').waitFor();
    expect(await page.locator('#requests tbody tr').count()).to.equal(3);
    await page.locator('button[data-count="Completed"] b', { hasText: '2' }).waitFor();
    expect(await page.locator('button[data-count="Polling"] b').textContent()).to.equal('1');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-requests.png') });

    // filter: outcome Fail leaves one row
    await page.selectOption('select[name="outcome"]', 'Fail');
    await page.locator('#requests tbody tr').first().waitFor();
    await page.waitForFunction(`document.querySelectorAll('#requests tbody tr').length === 1`);
    expect(await page.locator('#requests tbody tr').getAttribute('data-id')).to.equal('ui-fail-1');
    await page.selectOption('select[name="outcome"]', '');

    // one request: timeline, events (payload as text, never markup), trace
    await page.locator('#requests a', { hasText: 'ui-pass-1' }).click();
    await page.locator('#timeline .row').first().waitFor();
    await page.locator('#trace .row').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('#stage').textContent()).to.equal('Completed');
    expect(await page.locator('#timeline .row[data-kind="activity"]').count()).to.be.greaterThan(0);
    expect(await page.locator('#timeline .row[data-kind="timer"]').count()).to.be.greaterThan(0);
    const types = await page.locator('#events summary b').allTextContents();
    expect(types[0]).to.equal('workflow.request.discovered.v1');
    expect(types).to.include('workflow.request.completed.v1');
    await page.locator('#events summary').first().click();
    const firstEvent = await page.locator('#events pre').first().textContent();
    expect(firstEvent, 'the payload shows as text').to.contain('<script>window.__xss = 1</script>');
    expect(await page.evaluate('window.__xss'), 'no payload markup ran').to.equal(undefined);
    expect(await page.locator('#events img').count(), 'no payload markup became an element').to.equal(0);
    expect(await page.locator('#trace .row[data-span="POST /api/requests"]').count()).to.equal(1);
    expect(await page.locator('#trace .row[data-span="activity:submitJob"]').count()).to.equal(1);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-request.png'), fullPage: true });

    // cancel a running one and watch it reach Cancelled live (no reload)
    await page.goto(`${host.url}/api/dashboard#/requests/ui-never-1`);
    await page.locator('#stage', { hasText: 'Polling' }).waitFor();
    await page.locator('button[data-action="cancel"]').click();
    await page.locator('output[data-answer="cancel"]').waitFor();
    expect(
      await page.locator('output[data-answer="cancel"]').textContent(),
      'the Durable API accepted the event',
    ).to.equal('Durable API: HTTP 202');
    await page.locator('#outcome', { hasText: 'Cancelled' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#stage').textContent()).to.equal('Completed');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-cancelled.png'), fullPage: true });

    // instances: every orchestration, with history and the operator actions
    await page.goto(`${host.url}/api/dashboard#/instances/ui-fail-1`);
    await page.locator('#instance-status', { hasText: 'Completed' }).waitFor();
    expect(await page.locator('button[data-action]').allTextContents()).to.include.members([
      'Terminate',
      'Suspend',
      'Resume',
      'Restart',
      'Rewind',
      'Purge history',
      'Raise event',
    ]);
    await page.locator('button[data-action="terminate"]').click();
    await page.locator('output[data-answer="terminate"]').waitFor();
    expect(
      await page.locator('output[data-answer="terminate"]').getAttribute('class'),
      'terminating a completed instance is refused, and the answer shows',
    ).to.equal('error');
    expect(await page.locator('output[data-answer="terminate"]').textContent()).to.match(/^refused: HTTP 410/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-instance.png'), fullPage: true });
  });

  it('answers problem+json, never a 5xx, to unknown filters and malformed ids in its API', async () => {
    const base = `${host.url}/api/dashboard/api`;
    const cases: [string, string, number][] = [
      ['GET', '/requests?colour=red', 400],
      ['GET', '/requests?stage=Sleeping', 400],
      ['GET', '/requests?outcome=%3Cscript%3E', 400],
      ['GET', '/requests?needsIntervention=maybe', 400],
      ['GET', '/requests?from=yesterday', 400],
      ['GET', '/requests?top=100000', 400],
      ['GET', '/requests?continuationToken=not-a-token', 400],
      ['GET', '/requests/bad%20id', 400],
      ['GET', '/requests/%3Cscript%3E', 400],
      ['GET', '/requests/no-such-request', 404],
      ['GET', '/instances?runtimeStatus=Sleeping', 400],
      ['GET', '/instances?top=0', 400],
      ['GET', '/instances/%01x', 400],
      ['GET', '/instances/no-such-instance', 404],
      ['POST', '/instances/no-such-instance/terminate', 404],
      ['POST', '/instances/ui-fail-1/explode', 400],
      ['GET', '/traces/xyz', 400],
      ['GET', '/counts?x=1', 400],
      ['GET', '/stream?since=never', 400],
    ];
    for (const [method, route, status] of cases) {
      const res = await fetch(`${base}${route}`, { method });
      const body = await res.text();
      expect(res.status, `${method} ${route}: ${body}`).to.equal(status);
      expect(res.headers.get('content-type'), `${method} ${route}`).to.equal('application/problem+json');
      expect((JSON.parse(body) as { detail?: string }).detail, `${method} ${route}`).to.be.a('string');
    }
  });
});
