// The staff console (/staff, issue 15) in Chromium, on the admin API with
// the staff member's dashboard session: an Owner turns a WNCMS endpoint
// off and on (the posts API answers 403 "API access is disabled", then
// 200); a Support member sees users but no switch and no audit log, and
// the server refuses the settings PATCH anyway; the audit filters narrow
// the list; users are suspended and reactivated; a user who is not staff
// gets no console and a 403 from the API.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createStaff, STAFF_PASSWORD } from '../lib/admin.mjs';
import { waitFor } from '../lib/server.mjs';
import { browserSuite, openPage, screenshot, signIn } from '../lib/web.mjs';
import {
  DISABLED_TEXT, PASSWORD, apiToken, WNCMS_ENV, assertSuccess, assertText, createSite, withToken,
} from '../lib/wncms.mjs';

const INDEX = ['POST', '/api/v1/posts', { page_size: 1 }];

// A request from the page with its session and CSRF token: {status, body}.
function pageFetch(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const xsrf = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
    const res = await fetch(p, {
      method: m,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json',
        'X-XSRF-TOKEN': xsrf ? decodeURIComponent(xsrf.slice(11)) : '' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.json() };
  }, [method, path, body]);
}

describe('web: the staff console', () => {
  let site;
  const ctx = browserSuite({ env: WNCMS_ENV, setup: () => {
    site = createSite(ctx.server, 'blog');
    createStaff(ctx.server, 'owner@staff.test', 'owner');
    createStaff(ctx.server, 'support@staff.test', 'support');
    createStaff(ctx.server, 'dev@staff.test', 'developer');
  } });

  async function openConsole(email, password = STAFF_PASSWORD, width = 1280) {
    const opened = await openPage(ctx.browser, ctx.server, { width });
    await signIn(opened.page, ctx.server, email, password);
    await opened.page.goto(`${ctx.server.url}/staff`);
    await opened.page.waitForFunction(() => !document.getElementById('staff-role').hidden
      || !document.getElementById('no-access').hidden);
    return opened;
  }

  test('an Owner turns a WNCMS endpoint off and on again', async () => {
    const { context, page, problems } = await openConsole('owner@staff.test');
    const token = site.editor.token;
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), token, INDEX[2]));
    const toggle = page.getByLabel('wncms_api_posts_index', { exact: true });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await toggle.uncheck();
    await page.getByText('Saved: wncms_api_posts_index is false.').waitFor();
    await screenshot(page, 'staff-1280');
    const off = await withToken(ctx.server, ...INDEX.slice(0, 2), token, INDEX[2]);
    assertText(off, 403, DISABLED_TEXT);
    // The other endpoints stay on.
    const show = await withToken(ctx.server, 'POST', '/api/v1/posts/no-such-post', token);
    assert.notEqual(show.text, DISABLED_TEXT);
    await page.reload();
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await page.getByText('Saved: wncms_api_posts_index is true.').waitFor();
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), token, INDEX[2]));
    // An auth mode for one site: basic, then back to simple.
    await page.getByLabel('Site (tenant slug; empty: every site)').fill('blog');
    await page.getByRole('button', { name: 'Show' }).click();
    const mode = page.getByLabel('wncms_api_posts_index_auth', { exact: true });
    await page.getByText('The values of the site blog.').waitFor();
    await mode.selectOption('basic');
    await page.getByText('Saved: wncms_api_posts_index_auth is basic.').waitFor();
    assert.equal((await withToken(ctx.server, ...INDEX.slice(0, 2), token, INDEX[2])).status, 401);
    await mode.selectOption('simple');
    await page.getByText('Saved: wncms_api_posts_index_auth is simple.').waitFor();
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), token, INDEX[2]));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('Support sees users but no switch, and the settings PATCH is refused', async () => {
    const { context, page } = await openConsole('support@staff.test');
    await page.locator('#users tbody tr').first().waitFor();
    assert.equal(await page.locator('#settings-section').isHidden(), true);
    assert.equal(await page.locator('#audit-section').isHidden(), true);
    assert.equal(await page.locator('input.switch').count(), 0);
    const res = await pageFetch(page, 'PATCH', '/admin/settings',
      { settings: { wncms_api_posts_index: false } });
    assert.equal(res.status, 403);
    assert.equal(res.body.message, 'You do not have permission to perform this action.');
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), site.editor.token, INDEX[2]));
    // Without the CSRF header the session is refused before anything else.
    const bare = await page.evaluate(async () => (await fetch('/admin/users', { method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: '{}' })).status);
    assert.equal(bare, 419);
    await context.close();
  });

  test('Support suspends and reactivates a user found by search', async () => {
    const { context, page, problems } = await openConsole('support@staff.test');
    await page.getByLabel('Search by name or email').fill(site.editor.email);
    await page.locator('#users-form button').click();
    await page.waitForFunction(() => document.querySelectorAll('#users tbody tr').length === 1);
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: `Suspend ${site.editor.email}` }).click();
    const reactivate = page.getByRole('button', { name: `Reactivate ${site.editor.email}` });
    await reactivate.waitFor();
    assert.match(await page.locator('#users tbody tr').textContent(), /suspended/);
    const refused = await withToken(ctx.server, ...INDEX.slice(0, 2), site.editor.token, INDEX[2]);
    assert.notEqual(refused.status, 200);
    await reactivate.click();
    await page.getByRole('button', { name: `Suspend ${site.editor.email}` }).waitFor();
    assert.match(await page.locator('#users tbody tr').textContent(), /active/);
    // The suspension revoked the old token for good; a new one works.
    assert.equal(refused.status, 401, refused.text);
    site.editor.token = apiToken(ctx.server, site.editor.email, 'blog');
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), site.editor.token, INDEX[2]));
    // A Developer (no users:update) sees the users without the buttons.
    const dev = await openConsole('dev@staff.test');
    await dev.page.locator('#users tbody tr').first().waitFor();
    assert.equal(await dev.page.locator('#users button').count(), 0);
    assert.equal(await dev.page.locator('#tenants button').count(), 0);
    assert.deepEqual(problems(), []);
    await dev.context.close();
    await context.close();
  });

  test('the audit filters narrow the list', async () => {
    const { context, page, problems } = await openConsole('dev@staff.test');
    const rows = page.locator('#audit tbody tr');
    await rows.first().waitFor();
    const actions = async () => page.locator('#audit tbody tr td:nth-child(2)').allTextContents();
    const all = await actions();
    assert.ok(new Set(all).size > 1, `several actions: ${all}`);
    await page.getByLabel('Action (a trailing * matches a prefix: login.*)').fill('login.success');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor(async () => {
      const now = await actions();
      return now.length > 0 && now.length < all.length && now.every((a) => a === 'login.success');
    }, { timeoutMs: 5000 });
    const logins = await actions();
    assert.ok(logins.every((a) => a === 'login.success'));
    // By user too: the Developer's own logins only.
    const me = await pageFetch(page, 'GET', '/admin/auth/me');
    await page.getByLabel('User id').fill(String(me.body.data.user.id));
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor(async () => (await actions()).length < logins.length, { timeoutMs: 5000 });
    const mine = await page.locator('#audit tbody tr td:nth-child(3)').allTextContents();
    assert.ok(mine.length > 0 && mine.every((u) => u === String(me.body.data.user.id)));
    // A bad user id is shown at its field.
    await page.getByLabel('User id').fill('abc');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('#user_id-error').waitFor();
    await screenshot(page, 'staff-audit-1280');
    assert.equal(await page.locator('#settings-section').isHidden(), true);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('every section at a phone\'s width, every field labelled', async () => {
    const { context, page, problems } = await openConsole('owner@staff.test', STAFF_PASSWORD, 375);
    await page.locator('#settings tbody tr').first().waitFor();
    await page.locator('#audit tbody tr').first().waitFor();
    const unlabelled = await page.$$eval('input, select', (els) => els
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map((e) => e.outerHTML));
    assert.deepEqual(unlabelled, []);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 375, `${scroll} px wide at 375 px`);
    await screenshot(page, 'staff-375');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a user who is not staff gets no console, and the API 403', async () => {
    const { context, page } = await openConsole(site.editor.email, PASSWORD);
    assert.equal(await page.locator('#no-access').isVisible(), true);
    for (const id of ['#users-section', '#tenants-section', '#audit-section', '#settings-section']) {
      assert.equal(await page.locator(id).isHidden(), true, id);
    }
    const res = await pageFetch(page, 'GET', '/admin/settings');
    assert.equal(res.status, 403);
    assert.equal(res.body.message, 'You do not have access to the admin API.');
    await context.close();
  });
});
