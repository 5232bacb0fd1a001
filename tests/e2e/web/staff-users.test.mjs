// The staff console's users and audit log (/staff, issue 15) in
// Chromium: Support finds a user and suspends and reactivates them, a
// Developer sees the lists without those buttons, the audit filters
// narrow the list (a bad value shown at its field), and every section
// fits a phone's width with every field labelled.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { STAFF_PASSWORD } from '../lib/admin.mjs';
import { waitFor } from '../lib/server.mjs';
import { INDEX, openConsole, pageFetch, staffSuite } from '../lib/staff.mjs';
import { screenshot } from '../lib/web.mjs';
import { apiToken, assertSuccess, withToken } from '../lib/wncms.mjs';

describe('web: the staff console\'s users and audit log', () => {
  const ctx = staffSuite();

  test('Support suspends and reactivates a user found by search', async () => {
    const { context, page, problems } = await openConsole(ctx, 'support@staff.test');
    await page.getByLabel('Search by name or email').fill(ctx.site.editor.email);
    await page.locator('#users-form button').click();
    await page.waitForFunction(() => document.querySelectorAll('#users tbody tr').length === 1);
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: `Suspend ${ctx.site.editor.email}` }).click();
    const reactivate = page.getByRole('button', { name: `Reactivate ${ctx.site.editor.email}` });
    await reactivate.waitFor();
    assert.match(await page.locator('#users tbody tr').textContent(), /suspended/);
    const refused = await withToken(ctx.server, ...INDEX.slice(0, 2), ctx.site.editor.token, INDEX[2]);
    assert.notEqual(refused.status, 200);
    await reactivate.click();
    await page.getByRole('button', { name: `Suspend ${ctx.site.editor.email}` }).waitFor();
    assert.match(await page.locator('#users tbody tr').textContent(), /active/);
    // The suspension revoked the old token for good; a new one works.
    assert.equal(refused.status, 401, refused.text);
    ctx.site.editor.token = apiToken(ctx.server, ctx.site.editor.email, 'blog');
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), ctx.site.editor.token, INDEX[2]));
    // A Developer (no users:update) sees the users without the buttons.
    const dev = await openConsole(ctx, 'dev@staff.test');
    await dev.page.locator('#users tbody tr').first().waitFor();
    assert.equal(await dev.page.locator('#users button').count(), 0);
    assert.equal(await dev.page.locator('#tenants button').count(), 0);
    assert.deepEqual(problems(), []);
    await dev.context.close();
    await context.close();
  });

  test('the audit filters narrow the list', async () => {
    const { context, page, problems } = await openConsole(ctx, 'dev@staff.test');
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
    const { context, page, problems } = await openConsole(ctx, 'owner@staff.test', STAFF_PASSWORD, 375);
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

});
