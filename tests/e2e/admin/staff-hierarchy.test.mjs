// Issue 16, item 5: a staff member suspends, renames, deletes or makes an
// API token for another staff member only when that one's permissions are a
// subset of their own (the team API's rule for members). The staff roles:
//   Owner      everything
//   Manager    all but users:delete
//   Developer  users:list, tenants:list, roles:list, audit:list
//   Support    users:list, users:update, tenants:list, roles:list, accounts:read
//   Marketing  users:list, tenants:list
// so Support may not touch a Developer (audit:list), a Manager or an Owner.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminLoginOk, assertFail, assertOk, createStaff, STAFF_PASSWORD, startAdminServer,
} from '../lib/admin.mjs';
import { api } from '../lib/server.mjs';

const ABOVE = 'You cannot manage a staff member whose role has permissions you do not have.';

describe('admin: the staff hierarchy', () => {
  let server;
  let ownerPassword;
  let n = 0;
  const tokens = {};

  // A fresh staff member of role; returns their user id.
  function staff(role) {
    n += 1;
    return createStaff(server, `${role}${n}@admin.test`, role, { name: `${role} Number${n}` }).id;
  }

  const patch = (who, id, body) => api(server, 'PATCH', `/admin/users/${id}`,
    { token: tokens[who], body });

  before(async () => {
    ({ server, ownerPassword } = await startAdminServer());
    for (const role of ['manager', 'support']) {
      createStaff(server, `acting-${role}@admin.test`, role, { name: `Acting ${role}` });
      tokens[role] = (await adminLoginOk(server, `acting-${role}@admin.test`, STAFF_PASSWORD)).token;
    }
    tokens.owner = (await adminLoginOk(server, 'owner@admin.test', ownerPassword)).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  for (const [actor, target] of [['support', 'manager'], ['support', 'developer'],
    ['support', 'owner'], ['manager', 'owner']]) {
    test(`${actor} cannot suspend, rename or make an API token for a ${target}`, async () => {
      const id = target === 'owner' ? (await api(server, 'GET', '/admin/auth/me',
        { token: tokens.owner })).body.data.user.id : staff(target);
      assertFail(await patch(actor, id, { status: 'suspended' }), 403, ABOVE);
      assertFail(await patch(actor, id, { first_name: 'Renamed' }), 403, ABOVE);
      assertFail(await api(server, 'POST', `/admin/users/${id}/api-token`,
        { token: tokens[actor], body: {} }), 403, ABOVE);
      const shown = assertOk(await api(server, 'GET', `/admin/users/${id}`, { token: tokens.owner }));
      assert.equal(shown.user.status, 'active');
      assert.notEqual(shown.user.first_name, 'Renamed');
    });
  }

  for (const [actor, target] of [['support', 'marketing'], ['support', 'support'],
    ['manager', 'developer'], ['manager', 'support'], ['manager', 'manager'],
    ['owner', 'manager']]) {
    test(`${actor} may rename and suspend a ${target}`, async () => {
      const id = staff(target);
      assertOk(await patch(actor, id, { first_name: 'Renamed' }));
      const res = assertOk(await patch(actor, id, { status: 'suspended' }));
      assert.equal(res.user.status, 'suspended');
      assert.equal(res.user.first_name, 'Renamed');
    });
  }

  test('only an Owner deletes, and an Owner may delete a Manager', async () => {
    const id = staff('manager');
    assertOk(await api(server, 'DELETE', `/admin/users/${id}`, { token: tokens.owner }));
    assertFail(await api(server, 'GET', `/admin/users/${id}`, { token: tokens.owner }), 404);
  });

  test('support still manages a plain user (not staff)', async () => {
    const u = server.cli('user', 'create', '--email', 'plain@admin.test', '--name', 'Plain User',
      '--password', STAFF_PASSWORD, '--json').json;
    assertOk(await patch('support', u.id, { status: 'suspended' }));
    assertOk(await api(server, 'POST', `/admin/users/${u.id}/api-token`,
      { token: tokens.support, body: {} }), 201);
  });
});
