// The profile page's API token (seed 003: "your profile -> API Token ->
// Generate") in Chromium: a WNCMS member generates it after a
// confirmation, sees it once, copies it, and it works on the posts API
// while the previous one dies; rotating again kills it. A member whose
// role has no api_token.manage (a WedoCOD account) sees no such card.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browserSuite, makeAccount, openPage, screenshot, signIn } from '../lib/web.mjs';
import {
  INVALID_TOKEN_TEXT, PASSWORD, WNCMS_ENV, assertSuccess, assertText, createSite, withToken,
} from '../lib/wncms.mjs';

describe('web: the API token on the profile page', () => {
  let site;
  let acct;
  const ctx = browserSuite({ env: WNCMS_ENV, setup: () => {
    site = createSite(ctx.server, 'blog');
    acct = makeAccount(ctx.server, 'shop');
  } });

  // Generates a token on the open profile page; returns it once the
  // page shows a value other than `previous` (the one shown before).
  async function generate(page, previous = '') {
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Generate a new token' }).click();
    const value = page.locator('#api-token-value');
    await page.locator('#api-token-new').waitFor();
    await page.waitForFunction(
      (prev) => {
        const text = document.getElementById('api-token-value').textContent;
        return text !== '' && text !== prev;
      },
      previous,
    );
    return value.textContent();
  }

  test('generate -> shown once -> copy -> it works, the old one dies -> rotate', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.url });
    await signIn(page, ctx.server, site.editor.email, PASSWORD);
    await page.goto(`${ctx.server.url}/profile`);
    await page.locator('#api-token-card').waitFor();
    // Dismissing the confirmation generates nothing.
    page.once('dialog', (d) => d.dismiss());
    await page.getByRole('button', { name: 'Generate a new token' }).click();
    assertSuccess(await withToken(ctx.server, 'POST', '/api/v1/posts', site.editor.token));

    const first = await generate(page);
    assert.match(await page.locator('#api-token-new').textContent(), /you will not see this again/);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first);
    await screenshot(page, 'profile-api-token-1280');
    assertSuccess(await withToken(ctx.server, 'POST', '/api/v1/posts', first));
    assertText(await withToken(ctx.server, 'POST', '/api/v1/posts', site.editor.token), 401,
      INVALID_TOKEN_TEXT);

    const second = await generate(page, first);
    assert.notEqual(second, first);
    assertText(await withToken(ctx.server, 'POST', '/api/v1/posts', first), 401, INVALID_TOKEN_TEXT);
    assertSuccess(await withToken(ctx.server, 'POST', '/api/v1/posts', second));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('no API token card without api_token.manage', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.owner, acct.password);
    await page.goto(`${ctx.server.url}/profile`);
    await page.locator('#account dd').first().waitFor();
    assert.equal(await page.locator('#api-token-card').isHidden(), true);
    await context.close();
  });
});
