// Seed 002: GET /api/v1/auth/me and GET /api/v1/auth/tenants, a user in two
// tenants; a token used with X-Tenant of a tenant its user is not in is refused
// and never answers with that tenant's data (tenant-choice.test.mjs: the rest).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  AGENT_PERMISSIONS, ISO_Z_RE, MEMBERSHIP_SUSPENDED, NOT_MEMBER, SEED_ME, SEED_TENANTS, TENANT_NOT_FOUND,
  UNAUTHENTICATED, call, loginOk, registerOk,
} from '../lib/autocom.mjs';
import { assertSameShape, createUser } from '../lib/fixtures.mjs';
import { api, cliJson, startServer } from '../lib/server.mjs';

describe('autocom: /auth/me and /auth/tenants', () => {
  let server;
  let john;
  let token; // John in my-store

  before(async () => {
    server = await startServer();
    john = await registerOk(server, 'my-store', 'john@mystore.com', { company_name: 'My Store' });
    await registerOk(server, 'other-store', 'olga@other.com', { company_name: 'Other Store' });
    await new Promise((r) => setTimeout(r, 1100)); // distinct joined_at seconds
    cliJson(server.cli, 'member', 'add', '--user', 'john@mystore.com', '--tenant', 'other-store',
      '--role', 'agent');
    await registerOk(server, 'third-store', 'tess@third.com', { company_name: 'Third Store' });
    token = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('GET /auth/me: the seed example, key by key, with both tenants', async () => {
    const res = await call(server, 'GET', '/api/v1/auth/me', token, { tenant: 'my-store' });
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, SEED_ME, 'me');
    const me = res.body;
    assert.equal(me.id, john.user.id);
    assert.equal(me.name, 'John Doe');
    assert.equal(me.email, 'john@mystore.com');
    assert.equal(me.email_verified, false, 'registration does not verify the email');
    assert.equal(me.is_super_admin, false);
    assert.match(me.created_at, ISO_Z_RE);
    assert.match(me.last_login_at, ISO_Z_RE);
    assert.equal(me.tenant_membership.role, 'owner');
    assert.equal(me.tenant_membership.status, 'active');
    assert.match(me.tenant_membership.joined_at, ISO_Z_RE);
    assert.ok(me.tenant_membership.permissions.includes('team.manage_roles'));
    assert.deepEqual(me.tenants, [
      { id: 'my-store', name: 'My Store', role: 'owner', is_current: true },
      { id: 'other-store', name: 'Other Store', role: 'agent', is_current: false },
    ]);
  });

  test('GET /auth/me without X-Tenant: the token\'s tenant', async () => {
    const res = await call(server, 'GET', '/api/v1/auth/me', token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.tenants.find((t) => t.is_current).id, 'my-store');
  });

  test('the other tenant\'s token: is_current follows it', async () => {
    const other = (await loginOk(server, 'other-store', 'john@mystore.com')).token;
    const res = await call(server, 'GET', '/api/v1/auth/me', other, { tenant: 'other-store' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.tenant_membership.role, 'agent');
    assert.deepEqual(res.body.tenant_membership.permissions, AGENT_PERMISSIONS);
    assert.deepEqual(res.body.tenants.map((t) => [t.id, t.is_current]),
      [['my-store', false], ['other-store', true]]);
  });

  test('GET /auth/tenants: the seed example, no X-Tenant needed', async () => {
    const res = await call(server, 'GET', '/api/v1/auth/tenants', token);
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, SEED_TENANTS, 'tenants');
    assert.deepEqual(res.body.tenants.map((t) => [t.id, t.name, t.role]),
      [['my-store', 'My Store', 'owner'], ['other-store', 'Other Store', 'agent']]);
    for (const t of res.body.tenants) assert.match(t.joined_at, ISO_Z_RE);
    assert.ok(res.body.tenants[0].joined_at < res.body.tenants[1].joined_at,
      'oldest membership first');
  });

  test('X-Tenant of a tenant the user is not in is refused, never its data', async () => {
    // third-store: John is not a member at all.
    let res = await call(server, 'GET', '/api/v1/auth/me', token, { tenant: 'third-store' });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, NOT_MEMBER);
    // /auth/tenants takes no tenant: the header changes nothing.
    res = await call(server, 'GET', '/api/v1/auth/tenants', token, { tenant: 'third-store' });
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('Third Store'));
    // An unknown tenant: 404, as at login.
    res = await call(server, 'GET', '/api/v1/auth/me', token, { tenant: 'no-such-store' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, TENANT_NOT_FOUND);
  });

  test('a suspended membership: 403 with the seed body on the next request', async () => {
    createUser(server, 'sam@mystore.com', { password: 'securepass123', tenant: 'my-store',
      role: 'agent' });
    const sam = (await loginOk(server, 'my-store', 'sam@mystore.com')).token;
    assert.equal((await call(server, 'GET', '/api/v1/auth/me', sam)).status, 200);
    cliJson(server.cli, 'member', 'set-status', '--user', 'sam@mystore.com', '--tenant',
      'my-store', '--status', 'suspended');
    const res = await call(server, 'GET', '/api/v1/auth/me', sam, { tenant: 'my-store' });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
    cliJson(server.cli, 'member', 'set-status', '--user', 'sam@mystore.com', '--tenant',
      'my-store', '--status', 'active');
  });

  test('suspended memberships are not listed among the organisations', async () => {
    cliJson(server.cli, 'member', 'set-status', '--user', 'john@mystore.com', '--tenant',
      'other-store', '--status', 'suspended');
    const res = await call(server, 'GET', '/api/v1/auth/tenants', token);
    assert.deepEqual(res.body.tenants.map((t) => t.id), ['my-store']);
    const me = await call(server, 'GET', '/api/v1/auth/me', token);
    assert.deepEqual(me.body.tenants.map((t) => t.id), ['my-store']);
    cliJson(server.cli, 'member', 'set-status', '--user', 'john@mystore.com', '--tenant',
      'other-store', '--status', 'active');
  });

  test('401 without a token, with garbage, with a non-Bearer scheme', async () => {
    for (const headers of [{}, { Authorization: 'Bearer' }, { Authorization: 'Bearer abc.def.ghi' },
      { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { Authorization: `Token ${token}` }]) {
      for (const path of ['/api/v1/auth/me', '/api/v1/auth/tenants']) {
        const res = await api(server, 'GET', path, { headers: { ...headers, 'X-Tenant': 'my-store' } });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}: ${res.text}`);
        assert.deepEqual(res.body, UNAUTHENTICATED);
      }
    }
  });

  test('wrong method: 405 with Allow', async () => {
    const res = await call(server, 'POST', '/api/v1/auth/me', token);
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow'), /GET/);
  });
});
