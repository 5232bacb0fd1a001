// Seed 001: the users endpoints staff need - list (search, filters,
// pagination), show (with memberships), create, update (names, status; a
// suspension revokes every token everywhere), delete - and their statuses.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminLogin, adminLoginOk, assertFail, assertOk, createStaff, ISO_Z_RE, NO_PERMISSION,
  OWNER_EMAIL, STAFF_PASSWORD, startAdminServer,
} from '../lib/admin.mjs';
import { createTenant, createUser, loginOk, SUSPENDED } from '../lib/fixtures.mjs';
import { api, cliJson } from '../lib/server.mjs';

const USER_KEYS = ['id', 'name', 'first_name', 'last_name', 'email', 'phone', 'status',
  'is_super_admin', 'staff_role', 'email_verified_at', 'last_login_at', 'created_at', 'updated_at'];

describe('admin: users', () => {
  let server;
  let owner; // token
  let acme;
  let globex;
  const get = (p, token = owner) => api(server, 'GET', p, { token });

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    acme = createTenant(server, 'acme', 'Acme Travel');
    globex = createTenant(server, 'globex', 'Globex');
    createUser(server, 'alice@acme.test', { tenant: 'acme', role: 'owner', name: 'Alice Anders' });
    createUser(server, 'bob@acme.test', { tenant: 'acme', role: 'agent', name: 'Bob Brown' });
    createUser(server, 'carol@globex.test', { tenant: 'globex', role: 'agent', name: 'Carol Cruz' });
    cliJson(server.cli, 'member', 'add', '--user', 'alice@acme.test', '--tenant', 'globex', '--role', 'manager');
    cliJson(server.cli, 'user', 'set-status', '--email', 'bob@acme.test', '--status', 'inactive');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('list: every user with Laravel-style paging meta', async () => {
    const data = assertOk(await get('/admin/users'));
    assert.deepEqual(Object.keys(data), ['users', 'meta']);
    assert.ok(data.users.length >= 4);
    assert.deepEqual(Object.keys(data.users[0]), USER_KEYS);
    assert.equal(data.users[0].email, OWNER_EMAIL);
    assert.deepEqual(data.users[0].staff_role, { id: data.users[0].staff_role.id, name: 'Owner', slug: 'owner' });
    assert.match(data.users[0].created_at, ISO_Z_RE);
    assert.deepEqual(data.meta, { current_page: 1, per_page: 15, total: data.users.length, last_page: 1 });
    const alice = data.users.find((u) => u.email === 'alice@acme.test');
    assert.equal(alice.first_name, 'Alice');
    assert.equal(alice.last_name, 'Anders');
    assert.equal(alice.staff_role, null);
  });

  test('list: search by email or name, filter by status and tenant', async () => {
    const emails = async (q) => assertOk(await get(`/admin/users?${q}`)).users.map((u) => u.email);
    assert.deepEqual(await emails('search=acme.test'), ['alice@acme.test', 'bob@acme.test']);
    assert.deepEqual(await emails('search=CRUZ'), ['carol@globex.test']);
    assert.deepEqual(await emails('status=inactive'), ['bob@acme.test']);
    assert.deepEqual(await emails(`tenant_id=${globex.id}`), ['alice@acme.test', 'carol@globex.test']);
    assert.deepEqual(await emails(`tenant_id=${acme.id}&status=active`), ['alice@acme.test']);
    assert.deepEqual(await emails('search=%25'), [], 'a % matches itself only');
    const bad = await get('/admin/users?status=gone&per_page=500&tenant_id=x&page=0');
    assertFail(bad, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ['page', 'per_page', 'status', 'tenant_id']);
  });

  test('list: pagination', async () => {
    const p1 = assertOk(await get('/admin/users?per_page=2'));
    const total = p1.meta.total;
    assert.equal(p1.users.length, 2);
    assert.deepEqual(p1.meta, { current_page: 1, per_page: 2, total, last_page: Math.ceil(total / 2) });
    const p2 = assertOk(await get('/admin/users?per_page=2&page=2'));
    assert.equal(p2.meta.current_page, 2);
    assert.ok(p2.users[0].id > p1.users[1].id, 'ordered by id, no overlap');
    const beyond = assertOk(await get('/admin/users?per_page=2&page=99'));
    assert.deepEqual(beyond.users, []);
    assert.equal(beyond.meta.total, total);
  });

  test('show: the user with their memberships; 404 for unknown ids', async () => {
    const alice = assertOk(await get('/admin/users?search=alice')).users[0];
    const data = assertOk(await get(`/admin/users/${alice.id}`));
    assert.deepEqual(Object.keys(data.user), [...USER_KEYS, 'memberships']);
    assert.equal(data.user.memberships.length, 2);
    const [m1, m2] = data.user.memberships;
    assert.deepEqual(m1.tenant, { id: acme.id, slug: 'acme', name: 'Acme Travel', status: 'active' });
    assert.equal(m1.role.slug, 'owner');
    assert.equal(m1.status, 'active');
    assert.match(m1.joined_at, ISO_Z_RE);
    assert.equal(m2.tenant.slug, 'globex');
    assert.equal(m2.role.slug, 'manager');
    assertFail(await get('/admin/users/999999'), 404, 'User not found.');
    assertFail(await get('/admin/users/abc'), 404);
    assertFail(await get('/admin/users/0'), 404);
  });

  test('create: 201 with the new user, who has no tenant; 422 for bad input', async () => {
    const res = await api(server, 'POST', '/admin/users', { token: owner,
      body: { first_name: 'Dana', last_name: 'Diaz', email: 'Dana@Example.test', password: 'dana-password-1' } });
    const data = assertOk(res, 201);
    assert.equal(res.body.message, 'User created.');
    assert.equal(data.user.email, 'dana@example.test');
    assert.equal(data.user.name, 'Dana Diaz');
    assert.equal(data.user.first_name, 'Dana');
    assert.equal(data.user.last_name, 'Diaz');
    assert.equal(data.user.status, 'active');
    assert.deepEqual(data.user.memberships, []);
    // The password works (travel login: a user without a tenant).
    const { user } = await loginOk(server, 'dana@example.test', 'dana-password-1');
    assert.equal(user.tenant, null);

    const dup = await api(server, 'POST', '/admin/users', { token: owner,
      body: { first_name: 'D', email: 'dana@example.test', password: 'dana-password-1' } });
    assert.deepEqual(dup.body.errors, { email: ['The email has already been taken.'] });
    const bad = await api(server, 'POST', '/admin/users', { token: owner,
      body: { email: 'nope', password: 'short', status: 'weird', password_confirmation: 'x' } });
    assertFail(bad, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ['email', 'first_name', 'password', 'status']);
    const suspended = await api(server, 'POST', '/admin/users', { token: owner,
      body: { first_name: 'Eve', email: 'eve@example.test', password: 'eve-password-1', status: 'suspended' } });
    assert.equal(assertOk(suspended, 201).user.status, 'suspended');
    assert.equal(assertOk(suspended, 201).user.last_name, null);
  });

  test('update: names and status', async () => {
    const carol = assertOk(await get('/admin/users?search=carol')).users[0];
    const res = await api(server, 'PATCH', `/admin/users/${carol.id}`, { token: owner,
      body: { first_name: 'Caroline', last_name: 'Cruz-Smith' } });
    const data = assertOk(res);
    assert.equal(res.body.message, 'User updated.');
    assert.equal(data.user.name, 'Caroline Cruz-Smith');
    assert.equal(data.user.first_name, 'Caroline');
    assert.equal(data.user.memberships.length, 1);
    const again = assertOk(await get(`/admin/users/${carol.id}`));
    assert.equal(again.user.name, 'Caroline Cruz-Smith');
    assertFail(await api(server, 'PATCH', `/admin/users/${carol.id}`, { token: owner,
      body: { status: 'banned' } }), 422);
    assertFail(await api(server, 'PATCH', '/admin/users/999999', { token: owner,
      body: { status: 'active' } }), 404, 'User not found.');
  });

  test('suspending a user revokes every token they hold, on every surface', async () => {
    createTenant(server, 'initech');
    createUser(server, 'sam@initech.test', { tenant: 'initech', role: 'agent', password: STAFF_PASSWORD });
    cliJson(server.cli, 'member', 'add', '--user', 'sam@initech.test', '--tenant', 'acme', '--role', 'agent');
    cliJson(server.cli, 'staff', 'grant', '--email', 'sam@initech.test', '--role', 'developer');
    const t1 = (await loginOk(server, 'sam@initech.test', STAFF_PASSWORD, { headers: { 'X-Tenant': 'initech' } })).token;
    const t2 = (await loginOk(server, 'sam@initech.test', STAFF_PASSWORD, { headers: { 'X-Tenant': 'acme' } })).token;
    const adminToken = (await adminLoginOk(server, 'sam@initech.test', STAFF_PASSWORD)).token;
    const sam = assertOk(await get('/admin/users?search=sam@')).users[0];

    const res = await api(server, 'PATCH', `/admin/users/${sam.id}`, { token: owner, body: { status: 'suspended' } });
    assert.equal(assertOk(res).user.status, 'suspended');
    for (const t of [t1, t2]) assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: t })).status, 401);
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: adminToken })).status, 401);
    const tokens = cliJson(server.cli, 'token', 'list', '--user', 'sam@initech.test');
    assert.ok(tokens.length >= 3 && tokens.every((t) => t.revoked_at), 'every token row is revoked');
    const relogin = await api(server, 'POST', '/api/v1/auth/token', { body: { email: 'sam@initech.test',
      password: STAFF_PASSWORD, device_name: 'x' } });
    assert.equal(relogin.status, 403);
    assert.deepEqual(relogin.body, SUSPENDED);
    assert.equal((await adminLogin(server, 'sam@initech.test', STAFF_PASSWORD)).status, 403);

    // Reactivated, they can sign in again (old tokens stay dead).
    assertOk(await api(server, 'PATCH', `/admin/users/${sam.id}`, { token: owner, body: { status: 'active' } }));
    await loginOk(server, 'sam@initech.test', STAFF_PASSWORD);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: t1 })).status, 401);
  });

  test('guards: nobody changes their own status; only an Owner touches an Owner', async () => {
    const me = assertOk(await api(server, 'GET', '/admin/auth/me', { token: owner })).user;
    const self = await api(server, 'PATCH', `/admin/users/${me.id}`, { token: owner, body: { status: 'suspended' } });
    assertFail(self, 422, 'You cannot suspend, deactivate or delete yourself.');
    assertFail(await api(server, 'DELETE', `/admin/users/${me.id}`, { token: owner }), 422);
    // Renaming oneself is fine.
    assertOk(await api(server, 'PATCH', `/admin/users/${me.id}`, { token: owner, body: { last_name: 'Owner' } }));

    createStaff(server, 'mgr@admin.test', 'manager');
    const mgr = (await adminLoginOk(server, 'mgr@admin.test', STAFF_PASSWORD)).token;
    const denied = await api(server, 'PATCH', `/admin/users/${me.id}`, { token: mgr, body: { status: 'suspended' } });
    assertFail(denied, 403,
      'You cannot manage a staff member whose role has permissions you do not have.');
    assertOk(await api(server, 'GET', '/admin/auth/me', { token: owner }));
  });

  test('delete: the user and everything they hold is gone; Owners only', async () => {
    createUser(server, 'gone@acme.test', { tenant: 'acme', role: 'agent', password: STAFF_PASSWORD });
    const travel = (await loginOk(server, 'gone@acme.test', STAFF_PASSWORD)).token;
    const gone = assertOk(await get('/admin/users?search=gone@')).users[0];
    createStaff(server, 'mgr2@admin.test', 'manager');
    const mgr = (await adminLoginOk(server, 'mgr2@admin.test', STAFF_PASSWORD)).token;
    assert.deepEqual((await api(server, 'DELETE', `/admin/users/${gone.id}`, { token: mgr })).body, NO_PERMISSION);
    const res = await api(server, 'DELETE', `/admin/users/${gone.id}`, { token: owner });
    assertOk(res);
    assert.equal(res.body.message, 'User deleted.');
    assertFail(await get(`/admin/users/${gone.id}`), 404);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: travel })).status, 401);
    assertFail(await api(server, 'DELETE', `/admin/users/${gone.id}`, { token: owner }), 404);
  });
});
