// The staff console's WNCMS settings (/staff, issue 15) in Chromium, on
// the admin API with the staff member's dashboard session: an Owner turns
// a WNCMS endpoint off and on (the posts API answers 403 "API access is
// disabled", then 200) and sets an auth mode for one site; a Support
// member sees no switch and the server refuses the settings PATCH anyway;
// a user who is not staff gets no console and a 403 from the API.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { INDEX, openConsole, pageFetch, staffSuite } from '../lib/staff.mjs';
import { screenshot } from '../lib/web.mjs';
import { DISABLED_TEXT, PASSWORD, assertSuccess, assertText, withToken } from '../lib/wncms.mjs';

describe('web: the staff console\'s settings', () => {
  const ctx = staffSuite();

  test('an Owner turns a WNCMS endpoint off and on again', async () => {
    const { context, page, problems } = await openConsole(ctx, 'owner@staff.test');
    const token = ctx.site.editor.token;
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
    const { context, page } = await openConsole(ctx, 'support@staff.test');
    await page.locator('#users tbody tr').first().waitFor();
    assert.equal(await page.locator('#settings-section').isHidden(), true);
    assert.equal(await page.locator('#audit-section').isHidden(), true);
    assert.equal(await page.locator('input.switch').count(), 0);
    const res = await pageFetch(page, 'PATCH', '/admin/settings',
      { settings: { wncms_api_posts_index: false } });
    assert.equal(res.status, 403);
    assert.equal(res.body.message, 'You do not have permission to perform this action.');
    assertSuccess(await withToken(ctx.server, ...INDEX.slice(0, 2), ctx.site.editor.token, INDEX[2]));
    // Without the CSRF header the session is refused before anything else.
    const bare = await page.evaluate(async () => (await fetch('/admin/users', { method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: '{}' })).status);
    assert.equal(bare, 419);
    await context.close();
  });

  test('a user who is not staff gets no console, and the API 403', async () => {
    const { context, page } = await openConsole(ctx, ctx.site.editor.email, PASSWORD);
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
