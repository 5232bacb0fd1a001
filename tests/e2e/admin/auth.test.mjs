// Seed 001: POST /admin/auth/login, refresh, me, logout - the envelope, the
// 24-hour admin token (expiry proven by moving the server's clock, not by
// waiting), who may sign in, and the wall between admin and other tokens.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN_TEST_ENV, adminLogin, adminLoginOk, assertFail, assertOk, BAD_CREDENTIALS, createStaff,
  ISO_Z_RE, NOT_STAFF, OWNER_EMAIL, STAFF_PASSWORD, startAdminServer, UNAUTHENTICATED,
} from '../lib/admin.mjs';
import { createTenant, createUser, loginOk } from '../lib/fixtures.mjs';
import { api, cliJson, parseToken, withServer } from '../lib/server.mjs';

const OWNER_PERMISSIONS = ['users:list', 'users:create', 'users:update', 'users:delete',
  'tenants:list', 'tenants:update', 'roles:list', 'audit:list', 'accounts:read', 'settings:list',
  'settings:manage', 'rules:list', 'rules:manage', 'tokens:introspect'];

describe('admin: login, me, refresh, logout', () => {
  let server;
  let ownerPassword;

  before(async () => {
    ({ server, ownerPassword } = await startAdminServer());
    createStaff(server, 'jane.support@admin.test', 'support', { name: 'Jane Support' });
    createTenant(server, 'acme');
    createUser(server, 'boss@acme.test', { tenant: 'acme', role: 'owner', password: 'boss-password-1' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('the first-start owner logs in: the seed example, key by key', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const res = await adminLogin(server, OWNER_EMAIL, ownerPassword);
    const data = assertOk(res);
    assert.deepEqual(Object.keys(res.body), ['success', 'data']);
    assert.deepEqual(Object.keys(data), ['user', 'token']);
    assert.deepEqual(Object.keys(data.user), ['id', 'first_name', 'last_name', 'email', 'role']);
    assert.deepEqual(Object.keys(data.user.role), ['id', 'name', 'permissions']);
    assert.deepEqual(Object.keys(data.token), ['access_token', 'token_type', 'expires_at']);
    assert.equal(data.user.email, OWNER_EMAIL);
    assert.equal(data.user.first_name, 'Platform');
    assert.equal(data.user.last_name, 'Owner');
    assert.equal(data.user.role.name, 'Owner');
    assert.deepEqual(data.user.role.permissions, OWNER_PERMISSIONS);
    assert.equal(data.token.token_type, 'Bearer');
    const t = parseToken(data.token.access_token);
    assert.ok(t && t.crcOk, `access_token is "id|secret": ${data.token.access_token}`);
    assert.match(data.token.expires_at, ISO_Z_RE);
    const exp = Date.parse(data.token.expires_at) / 1000;
    const t1 = Math.floor(Date.now() / 1000);
    assert.ok(exp >= t0 + 86400 && exp <= t1 + 86400 + 1,
      `expires_at ${data.token.expires_at} is 24 hours after issue`);
  });

  test('a staff member with a single "name" gets it split into first and last', async () => {
    const { user } = await adminLoginOk(server, 'jane.support@admin.test', STAFF_PASSWORD);
    assert.equal(user.first_name, 'Jane');
    assert.equal(user.last_name, 'Support');
    assert.equal(user.role.name, 'Support');
    assert.deepEqual(user.role.permissions, ['users:list', 'users:update', 'tenants:list', 'roles:list',
      'accounts:read']);
  });

  test('wrong password and unknown email: the same 401', async () => {
    const wrong = await adminLogin(server, OWNER_EMAIL, 'not-the-password');
    const unknown = await adminLogin(server, 'nobody@admin.test', 'not-the-password');
    const staffWrong = await adminLogin(server, 'jane.support@admin.test', 'nope-nope-nope');
    for (const r of [wrong, unknown, staffWrong]) {
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.body, BAD_CREDENTIALS);
    }
    assert.equal(wrong.text, unknown.text, 'byte-identical bodies');
  });

  test('a tenant owner who is not staff: 403 with the right password, 401 with a wrong one', async () => {
    const right = await adminLogin(server, 'boss@acme.test', 'boss-password-1');
    assert.equal(right.status, 403, right.text);
    assert.deepEqual(right.body, NOT_STAFF);
    const wrong = await adminLogin(server, 'boss@acme.test', 'wrong-password-1');
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
    // The same person signs in to the travel API as usual.
    await loginOk(server, 'boss@acme.test', 'boss-password-1');
  });

  test('suspended or inactive staff: 403 after the right password only', async () => {
    createStaff(server, 'sus@admin.test', 'developer');
    createStaff(server, 'ina@admin.test', 'developer');
    cliJson(server.cli, 'user', 'set-status', '--email', 'sus@admin.test', '--status', 'suspended');
    cliJson(server.cli, 'user', 'set-status', '--email', 'ina@admin.test', '--status', 'inactive');
    assert.deepEqual((await adminLogin(server, 'sus@admin.test', STAFF_PASSWORD)).body,
      { success: false, message: 'Your account has been suspended.' });
    assert.deepEqual((await adminLogin(server, 'ina@admin.test', STAFF_PASSWORD)).body,
      { success: false, message: 'Your account is inactive.' });
    assert.deepEqual((await adminLogin(server, 'sus@admin.test', 'wrong-password')).body,
      BAD_CREDENTIALS);
  });

  test('validation errors: 422 with the envelope and Laravel messages', async () => {
    const res = await api(server, 'POST', '/admin/auth/login', { body: {} });
    assertFail(res, 422, 'The email field is required. (and 1 more error)');
    assert.deepEqual(res.body.errors, {
      email: ['The email field is required.'],
      password: ['The password field is required.'],
    });
    const bad = await adminLogin(server, 'not-an-email', 'x');
    assertFail(bad, 422, 'The email field must be a valid email address.');
    // An unparseable body is no input (Laravel): the same 422 as {}.
    const malformed = await api(server, 'POST', '/admin/auth/login', { body: '{"email":' });
    assertFail(malformed, 422, 'The email field is required. (and 1 more error)');
  });

  test('me: the signed-in staff member; 401 without a valid token', async () => {
    const { token, user } = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    const res = await api(server, 'GET', '/admin/auth/me', { token });
    const data = assertOk(res);
    assert.deepEqual(data, { user });
    for (const bad of [undefined, 'garbage', `${parseToken(token).id}|${'x'.repeat(48)}`]) {
      const r = await api(server, 'GET', '/admin/auth/me', { token: bad });
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.body, UNAUTHENTICATED);
    }
  });

  test('refresh: a new token with a new expiry; the old one dies at once', async () => {
    const first = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    const res = await api(server, 'POST', '/admin/auth/refresh', { token: first.token });
    const data = assertOk(res);
    assert.deepEqual(Object.keys(data), ['token']);
    assert.deepEqual(Object.keys(data.token), ['access_token', 'token_type', 'expires_at']);
    assert.equal(data.token.token_type, 'Bearer');
    assert.notEqual(data.token.access_token, first.token);
    assert.ok(Number(parseToken(data.token.access_token).id) > Number(parseToken(first.token).id));
    assert.ok(Date.parse(data.token.expires_at) >= Date.parse(first.expiresAt));
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: first.token })).status, 401);
    assert.equal((await api(server, 'POST', '/admin/auth/refresh', { token: first.token })).status, 401,
      'the old token cannot be refreshed twice');
    assertOk(await api(server, 'GET', '/admin/auth/me', { token: data.token.access_token }));
  });

  test('logout revokes the presented token, not the others', async () => {
    const a = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    const b = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    const res = await api(server, 'POST', '/admin/auth/logout', { token: a.token });
    assertOk(res);
    assert.equal(res.body.message, 'Successfully logged out.');
    assert.deepEqual((await api(server, 'GET', '/admin/auth/me', { token: a.token })).body, UNAUTHENTICATED);
    assert.equal((await api(server, 'POST', '/admin/auth/logout', { token: a.token })).status, 401);
    assertOk(await api(server, 'GET', '/admin/auth/me', { token: b.token }));
  });

  test('a travel token never works on /admin, an admin token never on the travel API', async () => {
    // One person who is both staff and a tenant member holds both kinds.
    createUser(server, 'both@acme.test', { tenant: 'acme', role: 'agent', password: STAFF_PASSWORD });
    cliJson(server.cli, 'staff', 'grant', '--email', 'both@acme.test', '--role', 'owner');
    const travel = (await loginOk(server, 'both@acme.test', STAFF_PASSWORD)).token;
    const admin = (await adminLoginOk(server, 'both@acme.test', STAFF_PASSWORD)).token;
    for (const path of ['/admin/auth/me', '/admin/users']) {
      const r = await api(server, 'GET', path, { token: travel });
      assert.equal(r.status, 401, `travel PAT on ${path}: ${r.text}`);
      assert.deepEqual(r.body, UNAUTHENTICATED);
    }
    assert.equal((await api(server, 'POST', '/admin/auth/refresh', { token: travel })).status, 401);
    const cliPat = cliJson(server.cli, 'token', 'create', '--user', 'both@acme.test', '--tenant', 'acme',
      '--name', 'cli').token;
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: cliPat })).status, 401);
    for (const path of ['/api/v1/auth/user', '/api/v1/auth/profile']) {
      const r = await api(server, 'GET', path, { token: admin });
      assert.equal(r.status, 401, `admin token on ${path}: ${r.text}`);
      assert.deepEqual(r.body, { message: 'Unauthenticated.' });
    }
    assert.equal((await api(server, 'POST', '/api/v1/auth/revoke', { token: admin })).status, 401);
    // The AutoCom surface (seed 002) refuses it too, and its JWTs get nowhere on /admin.
    const me = await api(server, 'GET', '/api/v1/auth/me', { token: admin, headers: { 'X-Tenant': 'acme' } });
    assert.equal(me.status, 401, me.text);
    const auto = await api(server, 'POST', '/api/v1/auth/login', { headers: { 'X-Tenant': 'acme' },
      body: { email: 'both@acme.test', password: STAFF_PASSWORD } });
    assert.equal(auto.status, 200, auto.text);
    const jwt = auto.body.access_token;
    assert.match(jwt, /^eyJ/);
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: jwt })).status, 401);
    // Both still work where they belong.
    assertOk(await api(server, 'GET', '/admin/auth/me', { token: admin }));
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: travel })).status, 200);
  });

  test('losing the staff role ends admin access at once', async () => {
    createStaff(server, 'temp@admin.test', 'manager');
    const { token } = await adminLoginOk(server, 'temp@admin.test', STAFF_PASSWORD);
    cliJson(server.cli, 'staff', 'revoke', '--email', 'temp@admin.test');
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token })).status, 401,
      'its admin tokens are revoked');
    assert.deepEqual((await adminLogin(server, 'temp@admin.test', STAFF_PASSWORD)).body, NOT_STAFF);
    cliJson(server.cli, 'staff', 'grant', '--email', 'temp@admin.test', '--role', 'marketing');
    const again = await adminLoginOk(server, 'temp@admin.test', STAFF_PASSWORD);
    assert.equal(again.user.role.name, 'Marketing');
  });

  test('logins and refreshes are audited', async () => {
    const { token } = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    await adminLogin(server, OWNER_EMAIL, 'wrong-password');
    await adminLogin(server, 'boss@acme.test', 'boss-password-1');
    await api(server, 'POST', '/admin/auth/refresh', { token });
    const fresh = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    const failures = assertOk(await api(server, 'GET', '/admin/audit-logs?action=login.failure&per_page=100',
      { token: fresh })).audit_logs;
    assert.ok(failures.some((e) => e.detail?.surface === 'admin' && e.detail?.reason === 'credentials'));
    assert.ok(failures.some((e) => e.detail?.surface === 'admin' && e.detail?.reason === 'not_staff'));
    const refreshes = assertOk(await api(server, 'GET', '/admin/audit-logs?action=token.refresh',
      { token: fresh })).audit_logs;
    assert.ok(refreshes.length >= 1);
    assert.ok(failures.every((e) => !JSON.stringify(e).includes('wrong-password')), 'no passwords');
  });
});

describe('admin: token lifetime without waiting', () => {
  test('a token works until 24 hours after issue, then cannot be used or refreshed', async () => {
    await withServer({}, { start: startAdminServer }, async (server, { ownerPassword }) => {
      const { token, expiresAt } = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
      await server.stop({ keep: true });
      const left = Date.parse(expiresAt) / 1000 - Date.now() / 1000;
      assert.ok(left > 86000 && left <= 86400, `expires in ${left} s`);

      // The same database, the server's clock moved to 2 minutes before expiry.
      await withServer({ ...ADMIN_TEST_ENV, LATCHKEY_TEST_CLOCK_OFFSET: String(Math.floor(left) - 120) },
        { dir: server.dir }, async (before) => {
          assertOk(await api(before, 'GET', '/admin/auth/me', { token }));
        });

      // ... and to 1 second after it.
      await withServer({ ...ADMIN_TEST_ENV, LATCHKEY_TEST_CLOCK_OFFSET: String(Math.ceil(left) + 1) },
        { dir: server.dir }, async (afterExpiry) => {
          assert.deepEqual((await api(afterExpiry, 'GET', '/admin/auth/me', { token })).body, UNAUTHENTICATED);
          const r = await api(afterExpiry, 'POST', '/admin/auth/refresh', { token });
          assert.equal(r.status, 401, 'an expired token cannot be refreshed');
          // A new login there gets 24 hours from the (moved) clock.
          const fresh = await adminLoginOk(afterExpiry, OWNER_EMAIL, ownerPassword);
          assert.ok(Date.parse(fresh.expiresAt) / 1000 - Date.now() / 1000 > 86400 + left - 5);
          assertOk(await api(afterExpiry, 'GET', '/admin/auth/me', { token: fresh.token }));
        });
    });
  });

  test('LATCHKEY_ADMIN_TOKEN_TTL sets the lifetime', async () => {
    await withServer({ LATCHKEY_ADMIN_TOKEN_TTL: '2h' }, { start: startAdminServer }, async (server, { ownerPassword }) => {
      const { expiresAt } = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
      const left = Date.parse(expiresAt) / 1000 - Date.now() / 1000;
      assert.ok(left > 7000 && left <= 7200, `expires in ${left} s`);
    });
  });
});

describe('admin: login throttle', () => {
  let server;
  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('5 per minute per IP by default; the 6th gets 429 in the envelope', async () => {
    ({ server } = await startAdminServer({ LATCHKEY_RATE_ADMIN_LOGIN: null }));
    for (let i = 0; i < 5; i++) {
      const r = await adminLogin(server, 'nobody@admin.test', 'wrong-password');
      assert.equal(r.status, 401, r.text);
      assert.equal(r.headers.get('x-ratelimit-limit'), '5');
      assert.equal(r.headers.get('x-ratelimit-remaining'), String(4 - i));
    }
    const r = await adminLogin(server, OWNER_EMAIL, 'whatever');
    assertFail(r, 429, 'Too Many Attempts.');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  });
});
