// Seed 002: POST /api/v1/auth/login with X-Tenant - every status of the seed's
// table (400, 401, 403, 404) and the 200 example.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ACCOUNT_INACTIVE, ACCOUNT_SUSPENDED, AGENT_PERMISSIONS, INVALID, INVALID_CREDENTIALS, ISO_Z_RE,
  MEMBERSHIP_SUSPENDED, MISSING_TENANT, NOT_MEMBER, SEED_LOGIN_RESPONSE, TENANT_NOT_FOUND, call,
  login, loginOk, registerOk, verifyWithJose,
} from '../lib/autocom.mjs';
import { assertSameShape, createTenant, createUser } from '../lib/fixtures.mjs';
import { api, cliJson, startServer } from '../lib/server.mjs';

const PASSWORD = 'securepass123';

describe('autocom: POST /api/v1/auth/login', () => {
  let server;
  let owner;

  before(async () => {
    server = await startServer();
    owner = await registerOk(server, 'my-store', 'john@mystore.com', { company_name: 'My Store' });
    createTenant(server, 'other-store', 'Other Store', ['--product', 'autocom']);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('the seed example: 200, same keys and types; the JWT verifies with jose', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const res = await login(server, 'my-store', 'john@mystore.com', PASSWORD);
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, SEED_LOGIN_RESPONSE, 'login');
    assert.equal(res.body.message, 'Login successful');
    assert.equal(res.body.user.id, owner.user.id);
    assert.equal(res.body.user.role, 'owner');
    assert.ok(res.body.user.permissions.includes('team.invite'));
    assert.deepEqual(res.body.tenant, { id: 'my-store', name: 'My Store' });
    assert.equal(res.body.token_type, 'Bearer');

    const { payload } = await verifyWithJose(server, res.body.access_token);
    assert.deepEqual(Object.keys(payload),
      ['iss', 'sub', 'aud', 'tid', 'jti', 'iat', 'nbf', 'exp', 'scopes']);
    assert.equal(payload.sub, String(owner.user.id));
    assert.equal(payload.tid, 'my-store');
    assert.ok(payload.iat >= t0 - 1 && payload.iat <= t0 + 5);
    assert.equal(payload.exp - payload.iat, 3600, 'LATCHKEY_JWT_TTL default: one hour');
    assert.deepEqual(payload.scopes, res.body.user.permissions);

    // The jti is the token's row: the CLI lists it, kind jwt.
    const rows = cliJson(server.cli, 'token', 'list', '--user', 'john@mystore.com');
    const row = rows.find((r) => String(r.id) === payload.jti);
    assert.ok(row, 'jti names a tokens row');
    assert.equal(row.kind, 'jwt');
    assert.equal(row.revoked_at, null);

    const me = await call(server, 'GET', '/api/v1/auth/me', res.body.access_token,
      { tenant: 'my-store' });
    assert.match(me.body.last_login_at, ISO_Z_RE);
  });

  test('400: no X-Tenant header (also empty)', async () => {
    for (const headers of [{}, { 'X-Tenant': '' }]) {
      const res = await api(server, 'POST', '/api/v1/auth/login',
        { body: { email: 'john@mystore.com', password: PASSWORD }, headers });
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(res.body, MISSING_TENANT);
    }
  });

  test('404: unknown tenant, before anything about the user', async () => {
    for (const tenant of ['nope', 'MY-STORE', 'x'.repeat(300)]) {
      const res = await login(server, tenant, 'john@mystore.com', PASSWORD);
      assert.equal(res.status, 404, `${tenant}: ${res.text}`);
      assert.deepEqual(res.body, TENANT_NOT_FOUND);
    }
  });

  test('401: wrong password and unknown email answer the same', async () => {
    const wrong = await login(server, 'my-store', 'john@mystore.com', 'wrong-password');
    const unknown = await login(server, 'my-store', 'nobody@mystore.com', PASSWORD);
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401, res.text);
      assert.deepEqual(res.body, INVALID_CREDENTIALS);
    }
    assert.equal(wrong.text, unknown.text);
  });

  test('422: missing or invalid fields, seed wording', async () => {
    const res = await api(server, 'POST', '/api/v1/auth/login',
      { body: {}, headers: { 'X-Tenant': 'my-store' } });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: INVALID,
      errors: {
        email: ['The email field is required.'],
        password: ['The password field is required.'],
      },
    });
    const bad = await login(server, 'my-store', 'not-an-email', PASSWORD);
    assert.deepEqual(bad.body,
      { message: INVALID, errors: { email: ['The email field must be a valid email address.'] } });
  });

  test('403: not a member of the X-Tenant organisation', async () => {
    const res = await login(server, 'other-store', 'john@mystore.com', PASSWORD);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, NOT_MEMBER);
    // Only after the password: a wrong one is still 401.
    const wrong = await login(server, 'other-store', 'john@mystore.com', 'wrong-password');
    assert.equal(wrong.status, 401);
  });

  test('403: inactive or suspended account, suspended membership (seed body)', async () => {
    createUser(server, 'agent@mystore.com', { password: PASSWORD, tenant: 'my-store',
      role: 'agent' });
    await loginOk(server, 'my-store', 'agent@mystore.com');

    cliJson(server.cli, 'member', 'set-status', '--user', 'agent@mystore.com', '--tenant',
      'my-store', '--status', 'suspended');
    let res = await login(server, 'my-store', 'agent@mystore.com', PASSWORD);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
    cliJson(server.cli, 'member', 'set-status', '--user', 'agent@mystore.com', '--tenant',
      'my-store', '--status', 'active');

    cliJson(server.cli, 'user', 'set-status', '--email', 'agent@mystore.com', '--status',
      'inactive');
    res = await login(server, 'my-store', 'agent@mystore.com', PASSWORD);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, ACCOUNT_INACTIVE);

    cliJson(server.cli, 'user', 'set-status', '--email', 'agent@mystore.com', '--status',
      'suspended');
    res = await login(server, 'my-store', 'agent@mystore.com', PASSWORD);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, ACCOUNT_SUSPENDED);
    // A guess still gets 401: the status is told only to the password's owner.
    res = await login(server, 'my-store', 'agent@mystore.com', 'wrong-password');
    assert.equal(res.status, 401);
    cliJson(server.cli, 'user', 'set-status', '--email', 'agent@mystore.com', '--status',
      'active');
    const ok = await loginOk(server, 'my-store', 'agent@mystore.com');
    assert.equal(ok.body.user.role, 'agent', 'the Agent role, by its slug');
    assert.deepEqual(ok.body.user.permissions, AGENT_PERMISSIONS);
  });

  test('a user in two tenants gets a token for the one X-Tenant names', async () => {
    cliJson(server.cli, 'member', 'add', '--user', 'john@mystore.com', '--tenant', 'other-store',
      '--role', 'agent');
    const a = await loginOk(server, 'my-store', 'john@mystore.com');
    const b = await loginOk(server, 'other-store', 'john@mystore.com');
    assert.equal(a.body.tenant.id, 'my-store');
    assert.equal(b.body.tenant.id, 'other-store');
    assert.equal(b.body.user.role, 'agent');
    const pa = (await verifyWithJose(server, a.token)).payload;
    const pb = (await verifyWithJose(server, b.token)).payload;
    assert.equal(pa.tid, 'my-store');
    assert.equal(pb.tid, 'other-store');
    assert.notEqual(pa.jti, pb.jti);
  });

  test('a travel-surface token (Sanctum PAT) is not an AutoCom token', async () => {
    const pat = cliJson(server.cli, 'token', 'create', '--user', 'john@mystore.com', '--tenant',
      'my-store', '--name', 'pat').token;
    const res = await call(server, 'GET', '/api/v1/auth/me', pat, { tenant: 'my-store' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { message: 'Unauthenticated' });
  });
});
