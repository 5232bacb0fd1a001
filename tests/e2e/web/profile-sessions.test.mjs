// The profile page's active sessions (issue 15) in Chromium: two browsers
// signed in to one account both appear, this one marked; "sign out other
// sessions" with a wrong password shows the error at its field and ends
// nothing; with the right one the other browser is signed out and this
// one stays.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browserSuite, makeAccount, openPage, screenshot, signIn } from '../lib/web.mjs';

describe('web: active sessions on the profile page', () => {
  let acct;
  const ctx = browserSuite({ setup: () => { acct = makeAccount(ctx.server, 'sess'); } });

  test('both sessions listed; wrong password -> error; right -> the other ends', async () => {
    const email = acct.users.owner;
    const other = await openPage(ctx.browser, ctx.server);
    await signIn(other.page, ctx.server, email, acct.password);
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, email, acct.password);
    await page.goto(`${ctx.server.url}/profile`);
    const rows = page.locator('#sessions tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await page.locator('#sessions .this-device').count(), 1);
    assert.match(await rows.first().textContent(), /127\.0\.0\.1/);
    assert.match(await rows.first().textContent(), /HeadlessChrome|Chrome/);
    await screenshot(page, 'profile-sessions-1280');

    await page.getByLabel('Your password, to sign out the other sessions').fill('wrong password');
    await page.getByRole('button', { name: 'Sign out other sessions' }).click();
    const err = page.locator('#others-password-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'This password does not match our records.');
    const still = await other.context.request.get(`${ctx.server.url}/api/user`,
      { headers: { Accept: 'application/json' } });
    assert.equal(still.status(), 200);

    await page.getByLabel('Your password, to sign out the other sessions').fill(acct.password);
    await page.getByRole('button', { name: 'Sign out other sessions' }).click();
    await page.getByText('The other sessions were signed out.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#sessions tbody tr').length === 1);
    assert.equal(await page.locator('#sessions .this-device').count(), 1);
    await other.page.goto(`${ctx.server.url}/dashboard`);
    await other.page.waitForURL(`${ctx.server.url}/login`);
    await page.reload();
    await page.locator('#sessions tbody tr').first().waitFor();
    assert.deepEqual(problems(), []);
    await other.context.close();
    await context.close();
  });
});
