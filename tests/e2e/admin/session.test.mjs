// The admin API on a staff member's dashboard session (issue 15, the
// staff console): the same routes and permissions as with an admin token,
// CSRF-checked (419 first), refused to a user who is not staff (403) and
// to no credential (401); the Bearer token wins over the cookie; refresh
// and logout, which are about the token, take no session.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  NO_PERMISSION, NOT_STAFF, OWNER_EMAIL, STAFF_PASSWORD, UNAUTHENTICATED, adminLoginOk, assertFail,
  assertOk, createStaff, startAdminServer,
} from '../lib/admin.mjs';
import { api } from '../lib/server.mjs';
import { CSRF_MISMATCH, PASSWORD, addMember, createAccount, webClient } from '../lib/wedocod.mjs';

describe('admin API: a staff member\'s dashboard session', () => {
  let server;
  let ownerPassword;
  before(async () => {
    ({ server, ownerPassword } = await startAdminServer());
    createStaff(server, 'support@admin.test', 'support');
    createAccount(server, 'shop');
    addMember(server, 'shop', 'owner@shop.test', 'owner');
  });
  after(() => server && server.stop());

  async function session(email, password) {
    const web = webClient(server);
    await web.login(email, password);
    return web;
  }

  test('an Owner reads and changes settings with the session, CSRF-checked', async () => {
    const web = await session(OWNER_EMAIL, ownerPassword);
    const me = assertOk(await web.request('GET', '/admin/auth/me'));
    assert.equal(me.user.email, OWNER_EMAIL);
    assert.ok(me.user.role.permissions.includes('settings:manage'));
    assertOk(await web.request('GET', '/admin/users'));
    const change = { settings: { wncms_api_posts_index: false } };
    const noCsrf = await web.request('PATCH', '/admin/settings', { body: change, xsrf: false });
    assert.equal(noCsrf.status, 419, noCsrf.text);
    assert.deepEqual(noCsrf.body, { success: false, message: CSRF_MISMATCH.message });
    const wrong = await web.request('PATCH', '/admin/settings', { body: change, xsrf: 'x'.repeat(40) });
    assert.equal(wrong.status, 419, wrong.text);
    const data = assertOk(await web.request('PATCH', '/admin/settings', { body: change }));
    const row = data.settings.find((s) => s.key === 'wncms_api_posts_index');
    assert.equal(row.value, 'false');
  });

  test('a Support session lists users but may not change settings', async () => {
    const web = await session('support@admin.test', STAFF_PASSWORD);
    assertOk(await web.request('GET', '/admin/users?search=shop'));
    assertFail(await web.request('GET', '/admin/settings'), 403, NO_PERMISSION.message);
    assertFail(await web.request('PATCH', '/admin/settings',
      { body: { settings: { wncms_api_posts_index: true } } }), 403, NO_PERMISSION.message);
    assertFail(await web.request('GET', '/admin/audit-logs'), 403, NO_PERMISSION.message);
  });

  test('a member who is not staff gets 403; no credential 401', async () => {
    const web = await session('owner@shop.test', PASSWORD);
    assert.deepEqual((await web.request('GET', '/admin/users')).body, NOT_STAFF);
    assert.equal((await web.request('GET', '/admin/users')).status, 403);
    assert.deepEqual((await api(server, 'GET', '/admin/users')).body, UNAUTHENTICATED);
    // A guest session (no login) is no credential either.
    const guest = webClient(server);
    await guest.csrfCookie();
    assertFail(await guest.request('GET', '/admin/users'), 401, UNAUTHENTICATED.message);
  });

  test('the Bearer token wins; refresh and logout take no session', async () => {
    const web = await session('owner@shop.test', PASSWORD);
    const { token } = await adminLoginOk(server, 'support@admin.test', STAFF_PASSWORD);
    // The member's cookie is not staff, but the Support token is.
    assertOk(await web.request('GET', '/admin/users', { token }));
    const staff = await session(OWNER_EMAIL, ownerPassword);
    assertFail(await staff.request('POST', '/admin/auth/refresh'), 401, UNAUTHENTICATED.message);
    assertFail(await staff.request('POST', '/admin/auth/logout'), 401, UNAUTHENTICATED.message);
    assertOk(await staff.request('GET', '/admin/auth/me'));
  });
});
