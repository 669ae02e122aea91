import { EXCHANGE_ROLES } from '@exrollout/core';
import type { Fleet } from '@exrollout/fleet-sim';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollout, fleetFor, sim, until } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { openBrowser } from './browser.js';

// What users hit in their first hour (issue 13): the names the dashboard uses, a slow API, what it offers.
describe('the dashboard, as a new user meets it', () => {
  let server: TestServer;
  let fleet: Fleet | undefined;
  let chromium: Awaited<ReturnType<typeof openBrowser>> | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    fleet = await fleetFor(server, {
      servers: [
        sim('CAS1', ['ClientAccess'], { internetFacing: true }),
        sim('EDGE1', ['Edge'], { site: 'Perimeter' }),
        sim('HUB1', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } }),
      ],
    });
    chromium = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await fleet?.stop();
    await server?.close();
  });

  const newPage = (): Promise<Page> => {
    if (!chromium) throw new Error('no browser');
    return chromium.browser.newPage();
  };

  async function signedIn(): Promise<Page> {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Operator API token').fill(server.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    return page;
  }

  it("filters the fleet and selects a rollout by the server's own role names, Edge included", async () => {
    const page = await signedIn();
    const options = await page.locator('#filter-role option').allTextContents();
    expect(options).toEqual(['all', ...EXCHANGE_ROLES]);
    await page.getByLabel('Role').selectOption('Edge');
    await expect.poll(() => page.locator('.counts').textContent()).toContain('1 of 3 servers');
    expect(await page.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('EDGE1')]);

    await page.getByRole('link', { name: 'New rollout' }).click();
    await page.getByLabel('SHA-256 of Exchange2007-KB959241-x64-EN.msp').fill('a'.repeat(64));
    await page.getByLabel('Edge', { exact: true }).check();
    await page.getByRole('button', { name: 'Create rollout' }).click();
    await page.locator('h2 .badge', { hasText: /^created$/ }).waitFor();
    expect(await page.locator('.lane').allTextContents()).toEqual([
      expect.stringContaining('no servers'),
      expect.stringContaining('no servers'),
      expect.stringContaining('EDGE1'),
    ]);
    await page.getByRole('button', { name: 'abort', exact: true }).click();
    await page.locator('h2 .badge', { hasText: /^aborted$/ }).waitFor();
    // Aborted before anything ran: the server refuses its rollback, so it is not offered, and the page says why.
    expect(await page.getByRole('button', { name: 'rollback', exact: true }).count()).toBe(0);
    expect(await page.locator('.not-offered').allTextContents()).toEqual([
      'Rollback: no server was updated by this rollout, so there is nothing to undo.',
    ]);
    const id = new URL(page.url()).hash.replace('#/rollouts/', '');
    const refused = await api(server, 'POST', `/api/v1/rollouts/${id}/rollback`, server.admin, {
      reason: 'x',
    });
    expect(refused.body.code).toBe('SRV_ERR_NOTHING_TO_ROLL_BACK');
    await page.close();
  }, 60_000);

  it('shows only the last navigation when the API is slower than the clicks', async () => {
    const page = await signedIn();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/v1/servers', async (route) => {
      await held;
      await route.continue();
    });
    const slowFleet = page.waitForResponse('**/api/v1/servers');
    await page.getByRole('link', { name: 'Rollouts', exact: true }).click();
    await page.getByRole('heading', { name: 'Rollouts' }).waitFor();
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.getByRole('link', { name: 'Rollouts', exact: true }).click();
    await page.getByRole('heading', { name: 'Rollouts' }).waitFor();
    release();
    await (await slowFleet).finished();
    // The fleet's answer has been read; let the page run what it chains on it before looking.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await page.locator('main h2').allTextContents()).toEqual(['Rollouts']);
    expect(await page.locator('#filter-role').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('does not offer to roll back a server whose install failed, and says why', async () => {
    const id = await createRollout(
      server,
      { approvalRequired: false, failureBudget: { overall: { count: 0 } } },
      { names: ['HUB1'] },
    );
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['halted']);
    const page = await signedIn();
    await page.goto(`${server.url}/#/rollouts/${id}`);
    const card = page.locator('.card[data-server="HUB1"]');
    await card.waitFor();
    expect(await card.getByRole('button').allTextContents()).toEqual(['retry HUB1', 'skip HUB1']);
    expect(await card.locator('.not-offered').textContent()).toBe(
      'Rollback: it failed at install, before the install completed: it is still on 8.1.311.3, nothing to undo.',
    );
    const refused = await api(server, 'POST', `/api/v1/rollouts/${id}/servers/HUB1/rollback`, server.admin, {
      reason: 'x',
    });
    expect(refused.body.code).toBe('SRV_ERR_NOTHING_TO_ROLL_BACK');
    await api(server, 'POST', `/api/v1/rollouts/${id}/abort`, server.admin, {});
    await page.close();
  }, 60_000);

  it('says the token was refused, not that one is required, when the one kept in the tab was revoked', async () => {
    const viewer = await server.tokens.createOperatorToken('revoked-later', 'viewer');
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Operator API token').fill(viewer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await server.tokens.revokeOperatorToken(viewer.id);
    await page.reload();
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toContain('the operator API token was refused');
    await page.close();
  }, 60_000);
});
