// The dashboard's main loop in Chromium, on the sessions of seed 000:
// keyboard-only sign-in -> Settings, API keys -> generate with a scope ->
// the plaintext once -> copy it -> use it from the test with fetch
// (Bearer) -> revoke after a confirmation -> 401. Also: a wrong password
// shown next to its field, the CSRF cookie dance the page does, scopes
// limited to the role, sign-out, and no token in Web Storage or a URL.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  NAV_ACCEPT, browserSuite, makeAccount, openPage, screenshot, signIn, webStorage,
} from '../lib/web.mjs';
import { api } from '../lib/server.mjs';

const ALL_SCOPES = ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'DELETE LEADS',
  'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS', 'DELETE ORDERS'];

describe('web: API keys in Chromium', () => {
  let acct;
  const ctx = browserSuite({ setup: () => {
    acct = makeAccount(ctx.server, 'acme');
  } });

  test('sign in -> generate -> copy -> use with fetch -> revoke -> 401', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.url });
    await signIn(page, ctx.server, acct.users.owner, acct.password);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'latchkey_session');
    assert.ok(session && session.httpOnly, 'an HttpOnly session cookie');
    await screenshot(page, 'dashboard-1280');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`${ctx.server.url}/settings/api-keys`);
    const boxes = page.locator('#scopes input[type="checkbox"]');
    await boxes.first().waitFor();
    assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => e.value)), ALL_SCOPES);

    // Generate: the POST carries the CSRF cookie's value in X-XSRF-TOKEN.
    await page.getByLabel('Name').fill('CI key');
    await page.getByLabel('VIEW LEADS').check();
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/settings/api-keys/generate')),
      page.getByRole('button', { name: 'Generate' }).click(),
    ]);
    const xsrf = (await context.cookies()).find((c) => c.name === 'XSRF-TOKEN');
    assert.ok(xsrf, 'an XSRF-TOKEN cookie');
    assert.equal(req.headers()['x-xsrf-token'], decodeURIComponent(xsrf.value));

    const secret = page.locator('#new-token');
    await secret.waitFor();
    const token = await secret.textContent();
    assert.match(token, /^\d+\|[A-Za-z0-9]{40,}$/);
    assert.match(await page.locator('#created').textContent(), /you will not see this again/i);
    await screenshot(page, 'api-keys-created-1280');

    // Copy: the clipboard holds the plaintext.
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

    // The key works from outside the browser.
    let me = await api(ctx.server, 'GET', '/api/user', { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, acct.users.owner);

    // Listed once, without its secret; "Done" forgets the plaintext.
    const row = page.locator('#keys tbody tr', { hasText: 'CI key' });
    await row.waitFor();
    assert.match(await row.textContent(), /VIEW LEADS/);
    assert.ok(!(await page.locator('#keys').textContent()).includes(token.split('|')[1]));
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.locator('#created').isHidden(), true);
    assert.equal(await page.content().then((h) => h.includes(token.split('|')[1])), false);

    // Revoke asks first: dismissing keeps the key.
    page.once('dialog', (d) => d.dismiss());
    await page.getByRole('button', { name: 'Revoke CI key' }).click();
    me = await api(ctx.server, 'GET', '/api/user', { token });
    assert.equal(me.status, 200, 'a dismissed confirmation revokes nothing');
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); d.accept(); });
    await page.getByRole('button', { name: 'Revoke CI key' }).click();
    await row.waitFor({ state: 'detached' });
    assert.match(asked, /Revoke the key "CI key"/);
    me = await api(ctx.server, 'GET', '/api/user', { token });
    assert.equal(me.status, 401, me.text);

    assert.deepEqual(await webStorage(page), { local: {}, session: {} });
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a wrong password shows the error next to the email field', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server, { width: 375 });
    await page.goto(`${ctx.server.url}/login`);
    await page.getByLabel('Email').fill(acct.users.owner);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const err = page.locator('#email-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'These credentials do not match our records.');
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is cleared');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(new URL(page.url()).search, '', 'nothing in the URL');
    await screenshot(page, 'login-error-375');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a viewer is offered only the scopes the role grants', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.viewer, acct.password);
    await page.goto(`${ctx.server.url}/settings/api-keys`);
    const boxes = page.locator('#scopes input[type="checkbox"]');
    await boxes.first().waitFor();
    assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => e.value)),
      ['VIEW LEADS', 'VIEW ORDERS']);
    // No team menu for a viewer (team.view), no staff console.
    assert.equal(await page.getByRole('link', { name: 'Team' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Staff console' }).count(), 0);
    await context.close();
  });

  test('sign-out ends the session: the pages send the browser to sign in', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.agent, acct.password);
    const before = (await context.cookies()).find((c) => c.name === 'latchkey_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${ctx.server.url}/login`);
    await page.goto(`${ctx.server.url}/settings/api-keys`);
    await page.waitForURL(`${ctx.server.url}/login`);
    // The old session cookie no longer authenticates anyone.
    const res = await api(ctx.server, 'GET', '/api/user', { headers: {
      Accept: 'application/json', Cookie: `latchkey_session=${before.value}` } });
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('/settings/api-keys: the page for a browser, JSON for an API client', async () => {
    const page = await api(ctx.server, 'GET', '/settings/api-keys', { headers: { Accept: NAV_ACCEPT } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    for (const accept of ['application/json', '*/*']) {
      const res = await api(ctx.server, 'GET', '/settings/api-keys', { headers: { Accept: accept } });
      assert.equal(res.status, 401, `${accept}: ${res.text}`);
      assert.deepEqual(res.body, { message: 'Unauthenticated.' }, accept);
    }
  });
});
