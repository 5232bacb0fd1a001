// The team page and the tenant switcher in Chromium (issue 15): invite from
// the page -> the email a real SMTP server received -> open its link ->
// accept -> the new member signs in and sees the menus of their role and
// no other; a member without team.invite sees no invite form and the
// server refuses the invite; change role, suspend, reactivate and remove
// through the page, checked with the API; a user in two tenants switches
// and the API keys and team pages show the other tenant's data, while a
// tenant where they are not a member is refused.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cliJson } from '../lib/server.mjs';
import { findLink } from '../lib/smtp.mjs';
import { browserSuite, makeAccount, openPage, screenshot, signIn } from '../lib/web.mjs';
import { generateKey, webClient } from '../lib/wedocod.mjs';
import { PASSWORD as WNCMS_PASSWORD, createSite } from '../lib/wncms.mjs';

// The main menu's entries, in order.
function menu(page) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}

describe('web: the team page and the tenant switcher', () => {
  let acct;
  let other;
  let site;
  const ctx = browserSuite({ smtp: true, setup: () => {
    acct = makeAccount(ctx.server, 'crew');
    other = makeAccount(ctx.server, 'crew2');
    site = createSite(ctx.server, 'crew-blog');
    // The owner of crew is also an admin of crew2.
    cliJson(ctx.server.cli, 'member', 'add', '--user', acct.users.owner, '--tenant', 'crew2',
      '--role', 'admin');
  } });

  // An API client signed in as email (in tenant, when given).
  async function client(email, password = acct.password, tenant = undefined) {
    const web = webClient(ctx.server);
    await web.login(email, password, tenant ? { tenant } : {});
    return web;
  }

  async function members(web) {
    const res = await web.request('GET', '/api/v1/team?per_page=100');
    assert.equal(res.status, 200, res.text);
    return res.body.data;
  }

  test('invite -> the email -> accept -> the new member sees the menus of their role', async () => {
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.owner, acct.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
    await page.waitForURL(`${ctx.server.url}/team`);
    await page.locator('#members tbody tr').first().waitFor();
    assert.equal(await page.locator('#members tbody tr').count(), 4);

    // The owner may grant every role.
    const role = page.getByLabel('Role', { exact: true });
    assert.deepEqual(await role.locator('option').allTextContents(), ['Owner', 'Admin', 'Agent', 'Viewer']);
    // A bad address: the 422 next to its field.
    await page.getByLabel('Email').fill('not an address');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('#email-error').waitFor();
    assert.match(await page.locator('#email-error').textContent(), /valid email/);
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'invite-email');

    await page.getByLabel('Email').fill('nora@crew.test');
    await role.selectOption({ label: 'Agent' });
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('#invitations tbody tr', { hasText: 'nora@crew.test' }).waitFor();
    assert.equal(await page.locator('#email-error').isHidden(), true);
    await screenshot(page, 'team-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true,
      'no horizontal scrolling at 375 px');
    await screenshot(page, 'team-375');
    assert.deepEqual(problems(), []);
    await context.close();

    const msg = await ctx.sink.waitForMessage({ to: 'nora@crew.test' });
    const link = findLink(msg.text, '/invitations/accept');
    assert.ok(link, msg.text);
    const invitee = await openPage(ctx.browser, ctx.server, { width: 375 });
    await invitee.page.goto(ctx.server.url + link.pathname + link.search);
    await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
    await invitee.page.getByLabel('Name').waitFor();
    await invitee.page.getByLabel('Name').fill('Nora New');
    await invitee.page.getByLabel('Password', { exact: true }).fill('nora-passw0rd');
    await invitee.page.getByLabel('Confirm the password').fill('nora-passw0rd');
    await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
    await invitee.page.getByText('Welcome to Account crew').waitFor();

    await signIn(invitee.page, ctx.server, 'nora@crew.test', 'nora-passw0rd');
    assert.deepEqual(await menu(invitee.page), ['Dashboard', 'API keys', 'Profile', 'Developer & API']);
    // The team page itself says the role does not reach it.
    await invitee.page.goto(`${ctx.server.url}/team`);
    await invitee.page.locator('#no-team').waitFor();
    assert.equal(await invitee.page.locator('#members-card').isHidden(), true);
    assert.deepEqual(invitee.problems(), []);
    await invitee.context.close();
  });

  test('without team.invite: no invite form, and the server refuses the invite', async () => {
    // A WNCMS editor: team.view, but no team.invite and no API key scope.
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, site.editor.email, WNCMS_PASSWORD);
    assert.deepEqual(await menu(page), ['Dashboard', 'Team', 'Profile', 'Developer & API']);
    await page.goto(`${ctx.server.url}/team`);
    await page.locator('#members tbody tr').first().waitFor();
    assert.equal(await page.locator('#invite-card').isHidden(), true);
    assert.equal(await page.locator('#invitations-card').isHidden(), true);
    assert.equal(await page.locator('#invite-form').isHidden(), true);
    // No member controls either: the editor holds none of team.edit,
    // team.manage_roles, team.remove.
    assert.equal(await page.locator('#members button, #members select').count(), 0);
    assert.deepEqual(problems(), []);
    await context.close();

    const web = await client(site.editor.email, WNCMS_PASSWORD);
    const res = await web.request('POST', '/api/v1/team/invite', { body: { email: 'x@crew-blog.test', role_id: 1 } });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.required_permission, 'team.invite');
  });

  test('change role, suspend, reactivate and remove through the page', async () => {
    const api = await client(acct.users.admin);
    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.admin, acct.password);
    await page.goto(`${ctx.server.url}/team`);
    await page.locator('#members tbody tr').first().waitFor();
    // An admin cannot act on the owner (billing.manage) or on themself.
    const ownerRow = page.locator('#members tbody tr', { hasText: acct.users.owner });
    assert.equal(await ownerRow.locator('button, select').count(), 0);
    const selfRow = page.locator('#members tbody tr', { hasText: acct.users.admin });
    assert.equal(await selfRow.locator('button, select').count(), 0);
    // Roles the admin may grant: not Owner.
    assert.deepEqual(await page.getByLabel('Role', { exact: true }).locator('option').allTextContents(),
      ['Admin', 'Agent', 'Viewer']);

    const agentName = 'Agent of crew';
    await page.getByLabel(`Role of ${agentName}`, { exact: true }).selectOption({ label: 'Viewer' });
    await page.getByRole('button', { name: `Change role of ${agentName}` }).click();
    await page.getByText('Member role updated successfully').waitFor();
    let agent = (await members(api)).find((m) => m.email === acct.users.agent);
    assert.equal(agent.role.slug, 'viewer');

    // Suspend asks first: dismissing changes nothing.
    page.once('dialog', (d) => d.dismiss());
    await page.getByRole('button', { name: `Suspend ${agentName}` }).click();
    agent = (await members(api)).find((m) => m.email === acct.users.agent);
    assert.equal(agent.status, 'active');
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); d.accept(); });
    await page.getByRole('button', { name: `Suspend ${agentName}` }).click();
    await page.getByRole('button', { name: `Reactivate ${agentName}` }).waitFor();
    assert.match(asked, /Suspend Agent of crew\?/);
    agent = (await members(api)).find((m) => m.email === acct.users.agent);
    assert.equal(agent.status, 'suspended');

    await page.getByRole('button', { name: `Reactivate ${agentName}` }).click();
    await page.getByRole('button', { name: `Suspend ${agentName}` }).waitFor();
    agent = (await members(api)).find((m) => m.email === acct.users.agent);
    assert.equal(agent.status, 'active');

    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: `Remove ${agentName}` }).click();
    await page.locator('#members tbody tr', { hasText: acct.users.agent }).waitFor({ state: 'detached' });
    assert.equal((await members(api)).some((m) => m.email === acct.users.agent), false);

    // Resend and cancel an invitation.
    const invite = await api.request('POST', '/api/v1/team/invite',
      { body: { email: 'paul@crew.test', role_id: (await api.request('GET', '/api/v1/team/roles')).body.roles.find((r) => r.slug === 'viewer').id } });
    assert.equal(invite.status, 201, invite.text);
    await page.reload();
    const row = page.locator('#invitations tbody tr', { hasText: 'paul@crew.test' });
    await row.waitFor();
    await page.getByRole('button', { name: 'Resend paul@crew.test' }).click();
    await page.getByText('Invitation resent successfully').waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Cancel paul@crew.test' }).click();
    await row.waitFor({ state: 'detached' });
    const open = await api.request('GET', '/api/v1/team/invitations');
    assert.equal(open.body.invitations.some((i) => i.email === 'paul@crew.test'), false);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the switcher: the other tenant\'s keys and team; a foreign tenant is refused', async () => {
    const inCrew = await client(acct.users.owner, acct.password, 'crew');
    await generateKey(inCrew, 'key of crew', ['VIEW LEADS']);
    const inCrew2 = await client(acct.users.owner, acct.password, 'crew2');
    await generateKey(inCrew2, 'key of crew2', ['VIEW ORDERS']);

    const { context, page, problems } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, acct.users.owner, acct.password);
    await page.goto(`${ctx.server.url}/settings/api-keys`);
    await page.locator('#keys tbody tr', { hasText: 'key of crew' }).waitFor();
    assert.deepEqual(await page.locator('#keys tbody tr td:first-child').allTextContents(), ['key of crew']);
    const select = page.getByLabel('Tenant');
    assert.deepEqual(await select.locator('option').allTextContents(), ['Account crew', 'Account crew2']);
    await screenshot(page, 'switcher-1280');

    // Keyboard: focus the list, choose, Tab to Switch, Enter.
    await select.selectOption({ label: 'Account crew2' });
    await select.focus();
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    await page.locator('#keys tbody tr', { hasText: 'key of crew2' }).waitFor();
    assert.deepEqual(await page.locator('#keys tbody tr td:first-child').allTextContents(), ['key of crew2']);
    assert.match(await page.locator('#who-name').textContent(), /Account crew2/);

    await page.goto(`${ctx.server.url}/team`);
    await page.locator('#members tbody tr').first().waitFor();
    const emails = await page.locator('#members tbody tr td:nth-child(2)').allTextContents();
    assert.ok(emails.includes(other.users.viewer), emails.join());
    assert.ok(!emails.includes(acct.users.viewer), emails.join());

    // A tenant where they are not a member (the option is forged): refused,
    // and the session stays in crew2.
    await page.evaluate((id) => {
      const s = document.getElementById('tenant-select');
      s.append(new Option('Forged', String(id)));
      s.value = String(id);
    }, site.tenant.id);
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.getByText('This action is unauthorized.').waitFor();
    const me = await page.evaluate(() => fetch('/api/user', { headers: { Accept: 'application/json' } }).then((r) => r.json()));
    assert.equal(me.tenant.slug, 'crew2');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
