// Seed 002: one login works in every organisation the user belongs to.
// X-Tenant chooses the current organisation of each request (DESIGN §5);
// the membership there, its status and the tenant's are checked on every
// request; an unknown X-Tenant is 404 and a missing one 400 as at login;
// /auth/tenants and /auth/change-password take no tenant.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MEMBERSHIP_SUSPENDED, MISSING_TENANT, NOT_MEMBER, TENANT_NOT_FOUND, UNAUTHENTICATED, call,
  loginOk, registerOk,
} from '../lib/autocom.mjs';
import { cliJson, startServer } from '../lib/server.mjs';

const PASSWORD = 'securepass123';

describe('autocom: X-Tenant chooses the organisation of each request', () => {
  let server;
  let token; // John's login in my-store
  let olga; // Olga's login in other-store (its owner)

  const me = (tenant, who = token) => call(server, 'GET', '/api/v1/auth/me', who, { tenant });
  const setStatus = (email, tenant, status) => cliJson(server.cli, 'member', 'set-status',
    '--user', email, '--tenant', tenant, '--status', status);

  before(async () => {
    server = await startServer();
    await registerOk(server, 'my-store', 'john@mystore.com', { company_name: 'My Store' });
    await registerOk(server, 'other-store', 'olga@other.com', { company_name: 'Other Store' });
    await registerOk(server, 'third-store', 'tess@third.com', { company_name: 'Third Store' });
    cliJson(server.cli, 'member', 'add', '--user', 'john@mystore.com', '--tenant', 'other-store',
      '--role', 'agent');
    token = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    olga = (await loginOk(server, 'other-store', 'olga@other.com')).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('a my-store login with X-Tenant: other-store answers as other-store', async () => {
    const res = await me('other-store');
    assert.equal(res.status, 200, res.text);
    const other = (await loginOk(server, 'other-store', 'john@mystore.com')).token;
    const direct = await me('other-store', other);
    assert.equal(direct.status, 200, direct.text);
    // The same membership, role and permissions as a login in other-store.
    assert.deepEqual(res.body.tenant_membership, direct.body.tenant_membership);
    assert.notEqual(res.body.tenant_membership.role, 'owner');
    assert.deepEqual(res.body.tenants.map((t) => [t.id, t.is_current]),
      [['my-store', false], ['other-store', true]]);
  });

  test('is_current follows the header on every request (the cache keys on it)', async () => {
    for (let i = 0; i < 3; i++) {
      for (const [tenant, current, role] of [['my-store', 'my-store', 'owner'],
        ['other-store', 'other-store', null], [undefined, 'my-store', 'owner']]) {
        const res = await me(tenant);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.tenants.find((t) => t.is_current).id, current, `X-Tenant ${tenant}`);
        if (role) assert.equal(res.body.tenant_membership.role, role);
        else assert.notEqual(res.body.tenant_membership.role, 'owner');
      }
    }
  });

  test('team routes use the chosen tenant\'s role and members', async () => {
    // John is an agent in other-store: no team.invite there, but the owner
    // of my-store may list my-store's team with the same token.
    let res = await call(server, 'GET', '/api/v1/team/invitations', token, { tenant: 'other-store' });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.required_permission, 'team.invite');
    res = await call(server, 'GET', '/api/v1/team/invitations', token, { tenant: 'my-store' });
    assert.equal(res.status, 200, res.text);
    // Olga's other-store login lists other-store's members, John among them.
    res = await call(server, 'GET', '/api/v1/team', olga, { tenant: 'other-store' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data.map((m) => m.email).sort(),
      ['john@mystore.com', 'olga@other.com']);
  });

  test('membership suspended or removed: refused on the next request', async () => {
    assert.equal((await me('other-store')).status, 200);
    setStatus('john@mystore.com', 'other-store', 'suspended');
    let res = await me('other-store');
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
    // The same token still works in my-store.
    assert.equal((await me('my-store')).status, 200);
    setStatus('john@mystore.com', 'other-store', 'active');
    assert.equal((await me('other-store')).status, 200);
  });

  test('a tenant the user is not in: 403 not a member', async () => {
    for (const path of ['/api/v1/auth/me', '/api/v1/team']) {
      const res = await call(server, 'GET', path, token, { tenant: 'third-store' });
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.deepEqual(res.body, NOT_MEMBER);
      assert.ok(!res.text.includes('Third Store'));
    }
  });

  test('an unknown X-Tenant on authenticated routes: 404 Tenant not found', async () => {
    for (const tenant of ['no-such-store', 'NO SUCH', 'x'.repeat(300)]) {
      for (const [method, path] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/team'],
        ['GET', '/api/v1/team/roles'], ['POST', '/api/v1/auth/logout']]) {
        const res = await call(server, method, path, token, { tenant });
        assert.equal(res.status, 404, `${method} ${path} ${tenant.slice(0, 20)}: ${res.text}`);
        assert.deepEqual(res.body, TENANT_NOT_FOUND);
        assert.ok(res.headers.get('x-ratelimit-remaining'), 'counted by the api throttle');
      }
    }
    // Without a valid token the answer is still 401.
    const res = await call(server, 'GET', '/api/v1/auth/me', 'garbage', { tenant: 'no-such-store' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHENTICATED);
  });

  test('no X-Tenant on a tenant-scoped route: 400 as at login', async () => {
    let res = await call(server, 'GET', '/api/v1/team', token);
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body, MISSING_TENANT);
    // Also when the token's own membership is suspended: the header is
    // missing before any membership is looked at.
    setStatus('john@mystore.com', 'my-store', 'suspended');
    try {
      res = await call(server, 'GET', '/api/v1/team/roles', token);
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(res.body, MISSING_TENANT);
    } finally {
      setStatus('john@mystore.com', 'my-store', 'active');
    }
  });

  test('/auth/tenants and /auth/change-password take no tenant', async () => {
    for (const tenant of ['no-such-store', 'third-store', 'other-store', 'my-store']) {
      const res = await call(server, 'GET', '/api/v1/auth/tenants', token, { tenant });
      assert.equal(res.status, 200, `${tenant}: ${res.text}`);
      assert.deepEqual(res.body.tenants.map((t) => t.id), ['my-store', 'other-store']);
    }
    const jane = (await registerOk(server, 'jane-store', 'jane@jane.com')).access_token;
    let password = PASSWORD;
    for (const tenant of ['no-such-store', 'third-store']) {
      const next = `${password}x`;
      const res = await call(server, 'POST', '/api/v1/auth/change-password', jane, { tenant,
        body: { current_password: password, password: next, password_confirmation: next } });
      assert.equal(res.status, 200, `${tenant}: ${res.text}`);
      password = next;
    }
    await loginOk(server, 'jane-store', 'jane@jane.com', password);
  });

  test('logout in another tenant revokes the token everywhere', async () => {
    const t = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    assert.equal((await me('other-store', t)).status, 200);
    const res = await call(server, 'POST', '/api/v1/auth/logout', t, { tenant: 'other-store' });
    assert.equal(res.status, 200, res.text);
    for (const tenant of ['other-store', 'my-store', undefined]) {
      const r = await me(tenant, t);
      assert.equal(r.status, 401, `${tenant}: ${r.text}`);
      assert.deepEqual(r.body, UNAUTHENTICATED);
    }
  });
});
