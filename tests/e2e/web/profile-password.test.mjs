// The profile page's name and password (issue 15) in Chromium: a wrong
// current password is shown next to its field; the right one changes the
// password, signs out the user's session in a second browser, revokes
// their API key, and leaves this page signed in. The name changes in the
// header at once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { api } from '../lib/server.mjs';
import { browserSuite, makeAccount, openPage, screenshot, signIn } from '../lib/web.mjs';
import { token } from '../lib/wedocod.mjs';

// GET /api/user with the cookies of a browser context: its status.
async function sessionStatus(context, server) {
  const res = await context.request.get(`${server.url}/api/user`,
    { headers: { Accept: 'application/json' } });
  return res.status();
}

describe('web: the profile page changes the name and the password', () => {
  let acct;
  const ctx = browserSuite({ setup: () => { acct = makeAccount(ctx.server, 'prof'); } });

  test('wrong current password -> error at the field; right -> others signed out', async () => {
    const email = acct.users.admin;
    const pat = token(ctx.server, email, acct.slug, ['VIEW LEADS']);
    assert.equal((await api(ctx.server, 'GET', '/api/user', { token: pat })).status, 200);
    const other = await openPage(ctx.browser, ctx.server);
    await signIn(other.page, ctx.server, email, acct.password);
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, email, acct.password);
    await page.goto(`${ctx.server.url}/profile`);

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a new password 2');
    await page.getByLabel('Confirm the new password').fill('a new password 2');
    await page.getByRole('button', { name: 'Change password' }).click();
    const err = page.locator('#current_password-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'The password is incorrect.');
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'profile-password-error-1280');
    // Nothing changed: the other browser and the key still work.
    assert.equal(await sessionStatus(other.context, ctx.server), 200);
    assert.equal((await api(ctx.server, 'GET', '/api/user', { token: pat })).status, 200);

    await page.getByLabel('Current password').fill(acct.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    assert.equal(await err.isHidden(), true);
    assert.equal(await sessionStatus(other.context, ctx.server), 401);
    await other.page.goto(`${ctx.server.url}/profile`);
    await other.page.waitForURL(`${ctx.server.url}/login`);
    assert.equal((await api(ctx.server, 'GET', '/api/user', { token: pat })).status, 401);
    // This page is still signed in, and the new password signs in.
    await page.reload();
    await page.locator('#sessions tbody tr').first().waitFor();
    assert.equal(await sessionStatus(context, ctx.server), 200);
    await signIn(other.page, ctx.server, email, 'a new password 2');
    assert.deepEqual(problems(), []);
    await other.context.close();
    await context.close();
  });

  test('a confirmation that does not match is shown at its field', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.agent, acct.password);
    await page.goto(`${ctx.server.url}/profile`);
    await page.getByLabel('Current password').fill(acct.password);
    await page.getByLabel('New password', { exact: true }).fill('a new password 3');
    await page.getByLabel('Confirm the new password').fill('something else');
    await page.getByRole('button', { name: 'Change password' }).click();
    const err = page.locator('#password-error');
    await err.waitFor();
    assert.match(await err.textContent(), /confirmation does not match/);
    await context.close();
  });

  test('the name changes, and an empty one is refused at its field', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.viewer, acct.password);
    await page.goto(`${ctx.server.url}/profile`);
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#name-error').waitFor();
    assert.match(await page.locator('#name-error').textContent(), /name field is required/);
    await name.fill('Vera Viewer');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    assert.match(await page.locator('#who-name').textContent(), /^Vera Viewer/);
    await page.reload();
    await page.locator('#account dd').first().waitFor();
    assert.equal(await page.locator('#account dd').first().textContent(), 'Vera Viewer');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
