// Seed 001: GET /admin/roles (the staff roles and their permissions),
// GET /admin/audit-logs (filters, paging), and the permission matrix: each
// staff role gets 403 in the envelope exactly where the README says.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminLoginOk, assertFail, assertOk, createStaff, ISO_Z_RE, NO_PERMISSION, OWNER_EMAIL,
  STAFF_PASSWORD, startAdminServer,
} from '../lib/admin.mjs';
import { createTenant, createUser } from '../lib/fixtures.mjs';
import { api, withServer } from '../lib/server.mjs';

// The README's matrix (accounts:read, migration 0009: reading every
// WedoCOD account's leads and orders, tested in wedocod/isolation;
// tokens:introspect, migration 0013: POST /oauth/introspect and revoke,
// tested in oauth/introspect).
const MATRIX = {
  owner: ['users:list', 'users:create', 'users:update', 'users:delete', 'tenants:list',
    'tenants:update', 'roles:list', 'audit:list', 'accounts:read', 'settings:list', 'settings:manage',
    'rules:list', 'rules:manage', 'tokens:introspect'],
  manager: ['users:list', 'users:create', 'users:update', 'tenants:list', 'tenants:update',
    'roles:list', 'audit:list', 'accounts:read', 'settings:list', 'settings:manage', 'rules:list',
    'rules:manage'],
  developer: ['users:list', 'tenants:list', 'roles:list', 'audit:list'],
  support: ['users:list', 'users:update', 'tenants:list', 'roles:list', 'accounts:read'],
  marketing: ['users:list', 'tenants:list'],
  service: ['tokens:introspect'],
};

describe('admin: roles, audit log, permission matrix', () => {
  let server;
  let owner;
  let tenant;
  let target; // a user everyone may try to change
  const tokens = {};

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    tokens.owner = owner;
    for (const role of ['manager', 'developer', 'support', 'marketing', 'service']) {
      createStaff(server, `${role}@admin.test`, role);
      tokens[role] = (await adminLoginOk(server, `${role}@admin.test`, STAFF_PASSWORD)).token;
    }
    tenant = createTenant(server, 'acme');
    target = createUser(server, 'target@acme.test', { tenant: 'acme', role: 'agent' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('roles: the six staff roles with their permissions and holders', async () => {
    const data = assertOk(await api(server, 'GET', '/admin/roles', { token: owner }));
    assert.deepEqual(data.roles.map((r) => r.name),
      ['Owner', 'Manager', 'Developer', 'Support', 'Marketing', 'Service']);
    for (const r of data.roles) {
      assert.deepEqual(Object.keys(r), ['id', 'name', 'slug', 'permissions', 'staff_count']);
      assert.deepEqual(r.permissions, MATRIX[r.slug], r.slug);
      assert.equal(r.staff_count, 1, r.slug);
    }
  });

  test('each role is allowed exactly its permissions', async () => {
    // One request per permission; a success must not change anything
    // another request depends on.
    const probes = {
      'users:list': (t) => api(server, 'GET', `/admin/users/${target.id}`, { token: t }),
      'users:create': (t, role) => api(server, 'POST', '/admin/users', { token: t,
        body: { first_name: 'New', email: `new-${role}@x.test`, password: 'new-password-1' } }),
      'users:update': (t) => api(server, 'PATCH', `/admin/users/${target.id}`, { token: t,
        body: { last_name: 'Target' } }),
      'users:delete': (t) => api(server, 'DELETE', '/admin/users/999999', { token: t }),
      'tenants:list': (t) => api(server, 'GET', `/admin/tenants/${tenant.id}`, { token: t }),
      'tenants:update': (t) => api(server, 'PATCH', `/admin/tenants/${tenant.id}`, { token: t,
        body: { status: 'active' } }),
      'roles:list': (t) => api(server, 'GET', '/admin/roles', { token: t }),
      'audit:list': (t) => api(server, 'GET', '/admin/audit-logs?per_page=1', { token: t }),
      'settings:list': (t) => api(server, 'GET', '/admin/settings', { token: t }),
      'settings:manage': (t) => api(server, 'PATCH', '/admin/settings', { token: t,
        body: { settings: { wncms_api_enabled: true } } }),
      'rules:list': (t) => api(server, 'GET', '/admin/rules', { token: t }),
      'rules:manage': (t) => api(server, 'DELETE', '/admin/rules/999999', { token: t }),
    };
    for (const [role, allowed] of Object.entries(MATRIX)) {
      for (const [perm, probe] of Object.entries(probes)) {
        const r = await probe(tokens[role], role);
        if (allowed.includes(perm)) {
          assert.ok(r.status !== 403 && r.status < 500, `${role} may ${perm}: ${r.status} ${r.text}`);
        } else {
          assert.equal(r.status, 403, `${role} may not ${perm}: ${r.text}`);
          assert.deepEqual(r.body, NO_PERMISSION);
        }
      }
    }
  });

  test('Support cannot create users (and nothing is created)', async () => {
    const r = await api(server, 'POST', '/admin/users', { token: tokens.support,
      body: { first_name: 'Sneaky', email: 'sneaky@x.test', password: 'sneaky-password' } });
    assertFail(r, 403, NO_PERMISSION.message);
    const found = assertOk(await api(server, 'GET', '/admin/users?search=sneaky', { token: owner }));
    assert.equal(found.meta.total, 0);
  });

  test('audit log: entries newest first, filtered by actor, tenant, action and time', async () => {
    const all = assertOk(await api(server, 'GET', '/admin/audit-logs?per_page=5', { token: owner }));
    assert.deepEqual(Object.keys(all), ['audit_logs', 'meta']);
    assert.equal(all.audit_logs.length, 5);
    assert.ok(all.meta.total > 5);
    const e = all.audit_logs[0];
    assert.deepEqual(Object.keys(e), ['id', 'at', 'action', 'user_id', 'tenant_id', 'ip', 'detail']);
    assert.match(e.at, ISO_Z_RE);
    for (let i = 1; i < all.audit_logs.length; i++) assert.ok(all.audit_logs[i].id < all.audit_logs[i - 1].id);

    const support = assertOk(await api(server, 'GET', '/admin/auth/me', { token: tokens.support })).user;
    const mine = assertOk(await api(server, 'GET', `/admin/audit-logs?user_id=${support.id}&per_page=100`,
      { token: owner })).audit_logs;
    assert.ok(mine.length > 0 && mine.every((x) => x.user_id === support.id));
    assert.ok(mine.some((x) => x.action === 'admin.user.update'), 'Support renamed the target');
    const alias = assertOk(await api(server, 'GET', `/admin/audit-logs?actor_id=${support.id}&per_page=100`,
      { token: owner })).audit_logs;
    assert.deepEqual(alias, mine);

    const logins = assertOk(await api(server, 'GET', '/admin/audit-logs?action=login.success&per_page=100',
      { token: owner })).audit_logs;
    assert.ok(logins.length >= 5 && logins.every((x) => x.action === 'login.success'));
    const prefix = assertOk(await api(server, 'GET', '/admin/audit-logs?action=login.*&per_page=100',
      { token: owner })).audit_logs;
    assert.ok(prefix.length >= logins.length && prefix.every((x) => x.action.startsWith('login.')));

    const inTenant = assertOk(await api(server, 'GET', `/admin/audit-logs?tenant_id=${tenant.id}`,
      { token: owner })).audit_logs;
    assert.ok(inTenant.length > 0 && inTenant.every((x) => x.tenant_id === tenant.id));

    const now = Math.floor(Date.now() / 1000);
    const future = assertOk(await api(server, 'GET', `/admin/audit-logs?from=${now + 3600}`, { token: owner }));
    assert.equal(future.meta.total, 0);
    const iso = new Date((now - 3600) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const recent = assertOk(await api(server, 'GET',
      `/admin/audit-logs?from=${encodeURIComponent(iso)}&to=${now + 60}&per_page=1`, { token: owner }));
    assert.ok(recent.meta.total >= all.meta.total);
    const past = assertOk(await api(server, 'GET', '/admin/audit-logs?to=2001-01-01', { token: owner }));
    assert.equal(past.meta.total, 0);
    const bad = await api(server, 'GET', '/admin/audit-logs?from=yesterday&user_id=-1', { token: owner });
    assertFail(bad, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ['from', 'user_id']);
  });

  test('the per-user throttle of authenticated admin routes', async () => {
    await withServer({ LATCHKEY_RATE_ADMIN: '3/60' }, { start: startAdminServer }, async (s, { ownerPassword }) => {
      const t = (await adminLoginOk(s, OWNER_EMAIL, ownerPassword)).token;
      for (let i = 0; i < 3; i++) {
        const r = await api(s, 'GET', '/admin/auth/me', { token: t });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), '3');
      }
      assertFail(await api(s, 'GET', '/admin/roles', { token: t }), 429, 'Too Many Attempts.');
    });
  });
});
