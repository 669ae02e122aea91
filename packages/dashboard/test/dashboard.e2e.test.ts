import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Fleet } from '@exrollout/fleet-sim';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, createRollout, fleetFor, SHA, sim, writeEvents } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { DASHBOARD_DIST } from '../src/node.js';

const CHROMIUM = '/usr/bin/chromium';
// The committed screenshots in docs/ are refreshed with EXR_SCREENSHOTS=docs; a plain test run keeps its own.
const SHOTS =
  process.env.EXR_SCREENSHOTS === 'docs'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : join(tmpdir(), 'exrollout-screenshots');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function ensureBuilt(): Promise<void> {
  if (existsSync(join(DASHBOARD_DIST, 'index.html'))) return;
  const script = fileURLToPath(new URL('../build.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [script]);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const stateBadge = (page: Page, state: string) =>
  page.locator('h2 .badge', { hasText: new RegExp(`^${state}$`) });

async function approveUntilCompleted(page: Page): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await stateBadge(page, 'completed').count()) === 0) {
    if (Date.now() > deadline) throw new Error('the rollout did not complete within 60 s');
    const approve = page.getByRole('button', { name: 'approve', exact: true });
    if ((await approve.count()) > 0) await approve.click();
    await page.waitForTimeout(250);
  }
}

describe('the dashboard in Chromium', () => {
  let server: TestServer;
  let fleet: Fleet | undefined;
  let browser: BrowserContext | undefined;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is required at ${CHROMIUM} for this test: apt-get install -y chromium`);
    await ensureBuilt();
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer();
    fleet = await fleetFor(server, {
      servers: [
        sim('CAS1', ['ClientAccess'], {
          internetFacing: true,
          owaCustomized: true,
          behaviour: { installSeconds: 2 },
        }),
        sim('CAS2', ['ClientAccess', 'HubTransport']),
        sim('HUB1', ['HubTransport'], { site: 'Branch' }),
        ...cluster('CCR', 'CCR1', ['MBX1', 'MBX2']),
        sim('HUB2', ['HubTransport'], { build: '8.1.340.1' }),
        sim('OLD1', ['Mailbox'], { build: '8.0.685.25', site: 'Branch' }),
      ],
    });
    profile = await mkdtemp(join(tmpdir(), 'exr-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('signs in, shows the fleet, plans, runs with approvals, completes and rolls back', async () => {
    const page = await (browser as BrowserContext).newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Operator API token').fill('exo_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toContain('the operator API token was refused');
    await shot(page, 'login');
    await page.getByLabel('Operator API token').fill(server.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(7);
    await expect.poll(() => page.locator('.counts').textContent()).toContain('7 of 7 servers');
    await page.getByLabel('Site').selectOption('Branch');
    await expect.poll(() => page.locator('.counts').textContent()).toContain('2 of 7 servers');
    await page.getByLabel('Site').selectOption('');
    await shot(page, 'fleet');

    await page.getByRole('link', { name: 'New rollout' }).click();
    await page.getByLabel('SHA-256 of Exchange2007-KB959241-x64-EN.msp').fill(SHA);
    expect(await page.getByLabel('Approval required before each wave after the first').isChecked()).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Preview plan' }).click();
    await page.locator('#plan-preview').waitFor();
    expect(await page.locator('#plan-preview').textContent()).toContain('NOT_SP1');
    await shot(page, 'plan-preview');

    await page.getByRole('button', { name: 'Create rollout' }).click();
    await stateBadge(page, 'created').waitFor();
    await page.getByRole('button', { name: 'start', exact: true }).click();
    await page.locator('.card.state-running').first().waitFor({ timeout: 10_000 });
    await shot(page, 'rollout-running');

    await page.getByRole('button', { name: 'approve', exact: true }).waitFor({ timeout: 20_000 });
    await shot(page, 'awaiting-approval');
    await approveUntilCompleted(page);
    expect(await page.locator('.counts').first().textContent()).toContain('5 succeeded');
    await shot(page, 'completed');

    page.once('dialog', (dialog) => void dialog.accept('OWA logons fail after the rollup'));
    await page.getByRole('button', { name: 'rollback', exact: true }).click();
    await stateBadge(page, 'rolled-back').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.counts').first().textContent()).toContain('5 rolled-back');
    await shot(page, 'rolled-back');

    await page.goto(`${server.url}/#/servers/CAS1`);
    await page.getByRole('heading', { name: 'Server CAS1' }).waitFor();
    expect(await page.locator('table', { hasText: 'Rollouts that touched it' }).textContent()).toContain(
      'server.succeeded',
    );
  }, 150_000);

  it('shows the end of a trail of more than 10,000 events and how many there are', async () => {
    const id = await createRollout(server, { approvalRequired: false }, { names: ['HUB2'] });
    await writeEvents(server, id, 10_500);
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const page = await (browser as BrowserContext).newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Operator API token').fill(server.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.goto(`${server.url}/#/rollouts/${id}`);
    await stateBadge(page, 'completed').waitFor();
    const total = Number(
      (await api(server, 'GET', `/api/v1/rollouts/${id}/events?limit=1`, server.admin)).body.total,
    );
    const trail = page.locator('section.trail table');
    await expect
      .poll(() => trail.locator('caption').textContent())
      .toBe(`Audit trail: ${total.toLocaleString('en-US')} events, newest 100 shown (newest first)`);
    expect(await trail.locator('tbody tr').first().textContent()).toContain('rollout.completed');
    await page.getByRole('button', { name: `Show all ${total.toLocaleString('en-US')} events` }).click();
    await expect.poll(() => trail.locator('tbody tr').count(), { timeout: 10_000 }).toBe(total);
    expect(await trail.locator('tbody tr').last().textContent()).toContain('rollout.created');
  }, 60_000);

  it('shows a rollout that completed with failures with its own badge and the failures by code', async () => {
    const failing = await fleetFor(server, {
      servers: [sim('HUB9', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } })],
    });
    try {
      await expect.poll(async () => (await server.inventory.get('HUB9')) !== undefined).toBe(true);
      const id = await createRollout(
        server,
        { approvalRequired: false, failureBudget: { overall: { count: 1 } } },
        { names: ['HUB9'] },
      );
      await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
      const page = await (browser as BrowserContext).newPage();
      await page.goto(`${server.url}/`);
      await page.getByLabel('Operator API token').fill(server.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Fleet' }).waitFor();
      await page.goto(`${server.url}/#/rollouts/${id}`);
      await stateBadge(page, 'completed-with-failures').waitFor({ timeout: 20_000 });
      const section = page.getByRole('region', { name: 'Failures' });
      expect(await section.textContent()).toMatch(
        /Failures \(1\), by error codeINSTALL_FAILED \(1\): HUB9Next: The MSI rolled itself back/,
      );
      await shot(page, 'completed-with-failures');
    } finally {
      await failing.stop();
    }
  }, 60_000);
});
