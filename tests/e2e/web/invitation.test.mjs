// The invitation page in Chromium: invite (AutoCom team API) -> the email a
// real SMTP server received -> open its link -> accept. A new person is
// asked for a name and a password (errors next to the fields); an existing
// account joins with one click; a dead token says so.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browserSuite, openPage, screenshot } from '../lib/web.mjs';
import { findLink } from '../lib/smtp.mjs';
import { findMember, makeTeam, teamCall } from '../lib/team.mjs';

describe('web: accepting an invitation', () => {
  let team;
  let seen = 0;
  const ctx = browserSuite({ smtp: true, setup: async () => {
    team = await makeTeam(ctx.server, 'web-store', 'owner@web-store.test');
  } });

  // Invites email as role and returns the path + query of the emailed link.
  async function invite(email, role) {
    const res = await teamCall(ctx.server, 'POST', '/api/v1/team/invite', team.owner, team,
      { email, role_id: team.roles[role] });
    assert.equal(res.status, 201, res.text);
    const msg = await ctx.sink.waitForMessage({ to: email, after: seen });
    seen = ctx.sink.messages().findIndex((m) => m.file === msg.file) + 1;
    const link = findLink(msg.text, '/invitations/accept');
    assert.ok(link, msg.text);
    return link.pathname + link.search;
  }

  test('a new person: the emailed link, name and password, errors next to the fields', async () => {
    const link = await invite('new@web-store.test', 'agent');
    const { context, page, problems } = await openPage(ctx.browser, ctx.server, { width: 375 });
    await page.goto(ctx.server.url + link);
    assert.equal(await page.locator('#new-account').isHidden(), true);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    // The server asks for the new account's fields: the page shows them.
    await page.getByLabel('Name').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
    await page.getByLabel('Name').fill('Nina New');
    await page.getByLabel('Password', { exact: true }).fill('nina-passw0rd');
    await page.getByLabel('Confirm the password').fill('other-passw0rd');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    const err = page.locator('#password-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'The password field confirmation does not match.');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'invitation-error-375');
    await page.getByLabel('Confirm the password').fill('nina-passw0rd');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('Welcome to Company web-store').waitFor();
    assert.equal(await page.locator('#invite-form').isHidden(), true);
    assert.ok(!page.url().includes('password'), 'no password in the URL');
    assert.deepEqual(problems(), []);
    await context.close();

    const who = await findMember(ctx.server, team, team.owner,
      (await teamCall(ctx.server, 'GET', '/api/v1/team?per_page=100', team.owner, team))
        .body.data.find((m) => m.email === 'new@web-store.test').id);
    assert.equal(who.name, 'Nina New');
    assert.equal(who.role.slug, 'agent');
  });

  test('an existing account joins with one click at /invitations/{token}', async () => {
    const r = ctx.server.cli('user', 'create', '--email', 'old@web-store.test', '--name', 'Olga Old',
      '--password', 'olga-passw0rd', '--json');
    assert.equal(r.status, 0, r.stderr);
    const link = await invite('old@web-store.test', 'manager');
    const token = new URL(link, ctx.server.url).searchParams.get('token');
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await page.goto(`${ctx.server.url}/invitations/${token}`);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('Welcome to Company web-store').waitFor();
    assert.equal(await page.locator('#new-account').isHidden(), true);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a dead token shows the server\'s answer', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await page.goto(`${ctx.server.url}/invitations/${'x'.repeat(64)}`);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    const err = page.locator('.form-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'Invitation not found');
    await context.close();
  });
});
