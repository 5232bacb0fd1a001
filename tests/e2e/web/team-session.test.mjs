// The team API and the tenant switcher on the dashboard session (issue 15):
// the team routes take the session cookie where they take an AutoCom JWT
// (CSRF on unsafe methods, the session's current tenant, the core's
// permissions), and PUT /current-team {team_id} changes the session's
// tenant, refusing a tenant where the user is not an active member with one
// answer whether or not it exists.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cliJson, startServer } from '../lib/server.mjs';
import { CSRF_MISMATCH, PASSWORD, addMember, createAccount, generateKey, webClient } from '../lib/wedocod.mjs';
import { createSite } from '../lib/wncms.mjs';

const UNAUTHORIZED = { message: 'This action is unauthorized.' };

describe('web: the team API and the tenant switcher on the session', () => {
  let server;
  let a;
  let b;
  before(async () => {
    server = await startServer();
    a = createAccount(server, 'ts-a', 'owner@ts-a.test');
    b = createAccount(server, 'ts-b', 'owner@ts-b.test');
    addMember(server, 'ts-a', 'viewer@ts-a.test', 'viewer');
    addMember(server, 'ts-a', 'agent@ts-a.test', 'agent', { name: 'Agent A' });
    // owner@ts-a.test is also a viewer of ts-b; sus@ts-a.test is suspended in ts-b.
    cliJson(server.cli, 'member', 'add', '--user', 'owner@ts-a.test', '--tenant', 'ts-b', '--role', 'viewer');
    addMember(server, 'ts-a', 'sus@ts-a.test', 'admin');
    cliJson(server.cli, 'member', 'add', '--user', 'sus@ts-a.test', '--tenant', 'ts-b', '--role', 'agent');
    cliJson(server.cli, 'member', 'set-status', '--user', 'sus@ts-a.test', '--tenant', 'ts-b',
      '--status', 'suspended');
  }, { timeout: 30000 });
  after(async () => { if (server) await server.stop(); });

  async function signedIn(email, extra = {}, password = PASSWORD) {
    const web = webClient(server);
    await web.login(email, password, extra);
    return web;
  }

  test('GET /api/v1/team with the session: the current tenant\'s members', async () => {
    const web = await signedIn('owner@ts-a.test', { tenant: 'ts-a' });
    // X-Tenant naming another tenant changes nothing: the session decides.
    const res = await web.request('GET', '/api/v1/team?per_page=100', { headers: { 'X-Tenant': 'ts-b' } });
    assert.equal(res.status, 200, res.text);
    const emails = res.body.data.map((m) => m.email).sort();
    assert.deepEqual(emails, ['agent@ts-a.test', 'owner@ts-a.test', 'sus@ts-a.test', 'viewer@ts-a.test']);
    const roles = await web.request('GET', '/api/v1/team/roles');
    assert.equal(roles.status, 200, roles.text);
    assert.deepEqual(roles.body.roles.map((r) => r.slug), ['owner', 'admin', 'agent', 'viewer']);
  });

  test('no session and no Bearer: 401 as before; a Bearer beside the session is the JWT\'s', async () => {
    const web = webClient(server);
    let res = await web.request('POST', '/api/v1/team/invite', { body: { email: 'x@y.test', role_id: 1 } });
    assert.equal(res.status, 401, res.text);
    res = await web.request('GET', '/api/v1/team');
    assert.equal(res.status, 401, res.text);
    const signed = await signedIn('owner@ts-a.test', { tenant: 'ts-a' });
    res = await signed.request('GET', '/api/v1/team', { token: 'not-a-jwt' });
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(res.body, { message: 'Unauthenticated' });
  });

  test('unsafe methods need the CSRF token (419 first)', async () => {
    const web = await signedIn('owner@ts-a.test', { tenant: 'ts-a' });
    const roles = (await web.request('GET', '/api/v1/team/roles')).body.roles;
    const agent = roles.find((r) => r.slug === 'agent').id;
    let res = await web.request('POST', '/api/v1/team/invite',
      { body: { email: 'csrf@ts-a.test', role_id: agent }, xsrf: false });
    assert.equal(res.status, 419, res.text);
    assert.deepEqual(res.body, CSRF_MISMATCH);
    res = await web.request('POST', '/api/v1/team/invite', { body: { email: 'csrf@ts-a.test', role_id: agent } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.invitation.email, 'csrf@ts-a.test');
    // 422 in the team API's shape, next to the field.
    res = await web.request('POST', '/api/v1/team/invite', { body: { email: 'csrf@ts-a.test', role_id: 999999 } });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.body.errors.email && res.body.errors.role_id, res.text);
  });

  test('the core\'s permissions and rules hold on the session', async () => {
    const viewer = await signedIn('viewer@ts-a.test');
    let res = await viewer.request('POST', '/api/v1/team/invite', { body: { email: 'v@ts-a.test', role_id: 1 } });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.required_permission, 'team.invite');
    res = await viewer.request('GET', '/api/v1/team');
    assert.equal(res.status, 403, res.text);
    // An admin cannot act on an owner (the owner's role holds billing.manage).
    const admin = await signedIn('sus@ts-a.test', { tenant: 'ts-a' });
    const owner = (await admin.request('GET', '/api/v1/team?per_page=100')).body.data
      .find((m) => m.email === 'owner@ts-a.test');
    res = await admin.request('POST', `/api/v1/team/members/${owner.id}/suspend`);
    assert.equal(res.status, 403, res.text);
  });

  test('a session without a tenant (the platform owner, a super-admin) acts in none', async () => {
    const pw = /password: (\S{16,})/.exec(server.stdout());
    assert.ok(pw, server.stdout());
    const web = await signedIn('admin@localhost', {}, pw[1]);
    const me = await web.request('GET', '/api/user');
    assert.equal(me.body.tenant, null, me.text);
    for (const path of ['/api/v1/team', '/api/v1/team/roles']) {
      const res = await web.request('GET', path);
      assert.equal(res.status, 403, `${path}: ${res.text}`);
    }
  });

  test('PUT /current-team switches the session\'s tenant: every route follows', async () => {
    const web = await signedIn('owner@ts-a.test', { tenant: 'ts-a' });
    await generateKey(web, 'key of a', ['VIEW LEADS']);
    let me = await web.request('GET', '/api/user');
    assert.equal(me.body.tenant.slug, 'ts-a');
    assert.deepEqual(me.body.tenants.map((t) => t.slug).sort(), ['ts-a', 'ts-b']);
    const bId = me.body.tenants.find((t) => t.slug === 'ts-b').id;
    const before = web.cookie('latchkey_session');

    let res = await web.request('PUT', '/current-team', { body: { team_id: bId }, xsrf: false });
    assert.equal(res.status, 419, res.text);
    res = await web.request('PUT', '/current-team', { body: { team_id: bId } });
    assert.equal(res.status, 204, res.text);
    assert.equal(web.cookie('latchkey_session'), before, 'the same session');

    me = await web.request('GET', '/api/user');
    assert.equal(me.body.tenant.slug, 'ts-b');
    assert.equal(me.body.role.slug, 'viewer');
    const keys = await web.request('GET', '/settings/api-keys');
    assert.equal(keys.status, 200, keys.text);
    assert.deepEqual(keys.body.data.map((k) => k.name), []);
    // A viewer of ts-b: the team API refuses (no team.view there).
    res = await web.request('GET', '/api/v1/team');
    assert.equal(res.status, 403, res.text);

    // And back, as a form post would (303 to the dashboard).
    const aId = me.body.tenants.find((t) => t.slug === 'ts-a').id;
    res = await web.request('PUT', '/current-team', { form: { team_id: String(aId), _token: web.cookie('XSRF-TOKEN') } });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), '/dashboard');
    const back = await web.request('GET', '/settings/api-keys');
    assert.deepEqual(back.body.data.map((k) => k.name), ['key of a']);
  });

  test('a tenant where the user is not an active member: 403, one answer for all', async () => {
    const web = await signedIn('sus@ts-a.test', { tenant: 'ts-a' });
    const me = await web.request('GET', '/api/user');
    const aId = me.body.tenant.id;
    assert.equal(aId, a.id);
    // Suspended in ts-b, not a member of the site, and a tenant that does not exist.
    const site = createSite(server, 'ts-site');
    const answers = [];
    for (const id of [b.id, site.tenant.id, 999999]) {
      const res = await web.request('PUT', '/current-team', { body: { team_id: id } });
      answers.push([res.status, res.body]);
    }
    for (const ans of answers) assert.deepEqual(ans, [403, UNAUTHORIZED]);
    // The session is unchanged.
    const after = await web.request('GET', '/api/user');
    assert.equal(after.status, 200, after.text);
    assert.equal(after.body.tenant.id, aId);
    for (const body of [{}, { team_id: 'abc' }, { team_id: null }]) {
      const res = await web.request('PUT', '/current-team', { body });
      assert.equal(res.status, 422, res.text);
      assert.ok(res.body.errors.team_id, res.text);
    }
    const guest = webClient(server);
    await guest.csrfCookie();
    const res = await guest.request('PUT', '/current-team', { body: { team_id: aId } });
    assert.equal(res.status, 401, res.text);
  });
});
