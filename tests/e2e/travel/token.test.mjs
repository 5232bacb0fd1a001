// Seed 004: POST /api/v1/auth/token - issuing a token, the profile it returns,
// validation and every refusal.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertSameShape, BAD_CREDENTIALS, createSeedData, createTenant, createUser, INACTIVE, login,
  loginOk, MEMBERSHIP_SUSPENDED, NOT_MEMBER, ROLE_KEYS, SEED_PROFILE, SUSPENDED, TENANT_KEYS,
} from '../lib/fixtures.mjs';
import { api, cliJson, ISO_RE, parseToken, startServer } from '../lib/server.mjs';

const TOKEN = '/api/v1/auth/token';

describe('travel: POST /api/v1/auth/token', () => {
  let server;
  let seed;

  before(async () => {
    server = await startServer();
    seed = createSeedData(server);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('success returns the seed example shape, key by key and type by type', async () => {
    const t0 = Date.now();
    const res = await login(server, 'john@example.com', seed.password, { device: 'iOS 18' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['access_token', 'token_type', 'user']);
    assert.equal(res.body.token_type, 'Bearer');
    const user = res.body.user;
    assertSameShape(user, SEED_PROFILE);
    assert.deepEqual(Object.keys(user.role), ROLE_KEYS);
    assert.deepEqual(Object.keys(user.tenant), TENANT_KEYS);

    assert.equal(user.id, seed.user.id);
    assert.equal(user.name, 'John Agent');
    assert.equal(user.email, 'john@example.com');
    assert.equal(user.phone, '+1-555-100-2000');
    assert.equal(user.avatar, null);
    assert.equal(user.status, 'active');
    assert.equal(user.tenant_id, seed.tenant.id);
    assert.equal(user.vacation_pool_balance, '150.00');
    assert.equal(user.hotel_card_redeems_left, 2);
    assert.deepEqual(user.preferences, { language: 'en' });
    assert.match(user.email_verified_at, ISO_RE);
    assert.match(user.last_login_at, ISO_RE);
    const loginAt = Date.parse(user.last_login_at);
    assert.ok(loginAt >= Math.floor(t0 / 1000) * 1000 - 2000 && loginAt <= Date.now() + 2000,
      `last_login_at ${user.last_login_at} is the time of this login`);
    const verifiedAt = Date.parse(user.email_verified_at);
    assert.ok(verifiedAt <= Date.now() + 2000 && verifiedAt >= t0 - 300000,
      `email_verified_at ${user.email_verified_at} is when --verified ran`);
    assert.deepEqual(user.role, { id: seed.agentRole.id, name: 'Agent', slug: 'user' });
    assert.deepEqual(user.permissions, ['dashboard.user', 'pos.view']);
    assert.deepEqual(user.tenant, {
      id: seed.tenant.id,
      name: 'Safeway Travel',
      slug: 'safeway',
      domain: 'www.safewaytravel.net',
      default_currency: 'USD',
      enabled_products: ['hotel', 'activity', 'flight', 'deals'],
    });
  });

  test('access_token is Sanctum 4 format with a valid crc32b', async () => {
    const { token } = await loginOk(server, 'john@example.com', seed.password);
    const t = parseToken(token);
    assert.ok(t, `token ${JSON.stringify(token)} is "<id>|<40 alnum><8 hex>"`);
    assert.ok(t.crcOk, 'last 8 chars are crc32b of the 40 random chars');
    const again = parseToken((await loginOk(server, 'john@example.com', seed.password)).token);
    assert.notEqual(again.id, t.id, 'each login creates a new token row');
    assert.notEqual(again.random, t.random);
  });

  test('the token is listed by the CLI under device_name, without its secret', async () => {
    const { token } = await loginOk(server, 'john@example.com', seed.password,
      { device: 'Pixel 9 e2e' });
    const t = parseToken(token);
    const list = cliJson(server.cli, 'token', 'list', '--user', 'john@example.com');
    const row = list.find((r) => String(r.id) === t.id);
    assert.ok(row, 'token list shows the issued token');
    assert.equal(row.name, 'Pixel 9 e2e');
    assert.equal(row.tenant_id, seed.tenant.id);
    assert.ok(!JSON.stringify(list).includes(t.random), 'list never holds the secret');
  });

  test('a user without any tenant can log in', async () => {
    createUser(server, 'loner@example.com', { password: 'loner-password', name: 'Lone Ranger' });
    const { user } = await loginOk(server, 'loner@example.com', 'loner-password');
    assert.deepEqual(Object.keys(user), Object.keys(SEED_PROFILE));
    assert.equal(user.tenant_id, null);
    assert.equal(user.role, null);
    assert.deepEqual(user.permissions, []);
    assert.equal(user.tenant, null);
    assert.equal(user.vacation_pool_balance, '0.00');
    assert.equal(user.hotel_card_redeems_left, 0);
    assert.deepEqual(user.preferences, {});
    assert.equal(user.email_verified_at, null);
    assert.equal(user.phone, null);
    assert.match(user.last_login_at, ISO_RE);
  });

  test('missing fields: 422 with Laravel messages', async () => {
    const res = await api(server, 'POST', TOKEN, { body: {} });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: 'The email field is required. (and 2 more errors)',
      errors: {
        email: ['The email field is required.'],
        password: ['The password field is required.'],
        device_name: ['The device name field is required.'],
      },
    });
  });

  test('an empty body counts as all fields missing', async () => {
    const res = await api(server, 'POST', TOKEN, { body: '' });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, 'The email field is required. (and 2 more errors)');
  });

  test('empty and whitespace-only strings count as missing (Laravel)', async () => {
    const res = await api(server, 'POST', TOKEN,
      { body: { email: '', password: '', device_name: '   ' } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, 'The email field is required. (and 2 more errors)');
    assert.deepEqual(Object.keys(res.body.errors).sort(), ['device_name', 'email', 'password']);
  });

  test('two missing fields: "(and 1 more error)"', async () => {
    const res = await api(server, 'POST', TOKEN, { body: { email: 'john@example.com' } });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: 'The password field is required. (and 1 more error)',
      errors: {
        password: ['The password field is required.'],
        device_name: ['The device name field is required.'],
      },
    });
  });

  test('one missing field: just its message', async () => {
    const res = await api(server, 'POST', TOKEN,
      { body: { email: 'john@example.com', password: 'x' } });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: 'The device name field is required.',
      errors: { device_name: ['The device name field is required.'] },
    });
  });

  test('non-string values: "must be a string"', async () => {
    const res = await api(server, 'POST', TOKEN,
      { body: { email: 5, password: seed.password, device_name: 'x' } });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: 'The email field must be a string. (and 1 more error)',
      errors: {
        email: ['The email field must be a string.', 'The email field must be a valid email address.'],
      },
    });
    const res2 = await api(server, 'POST', TOKEN,
      { body: { email: 'john@example.com', password: ['a'], device_name: { a: 1 } } });
    assert.equal(res2.status, 422, res2.text);
    assert.deepEqual(res2.body, {
      message: 'The password field must be a string. (and 1 more error)',
      errors: {
        password: ['The password field must be a string.'],
        device_name: ['The device name field must be a string.'],
      },
    });
  });

  test('wrong password and unknown email: byte-identical 422', async () => {
    const wrong = await login(server, 'john@example.com', 'not the password');
    const unknown = await login(server, 'nobody@example.com', 'not the password');
    assert.equal(wrong.status, 422);
    assert.equal(unknown.status, 422);
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
    assert.equal(wrong.text, unknown.text, 'same bytes for both (no user enumeration)');
  });

  test('inactive user: 403 with the right password, 422 with a wrong one', async () => {
    createUser(server, 'inactive@example.com', { password: 'inactive-pass', tenant: 'safeway',
      extra: ['--status', 'inactive'] });
    const res = await login(server, 'inactive@example.com', 'inactive-pass');
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, INACTIVE);
    const wrong = await login(server, 'inactive@example.com', 'wrong-pass');
    assert.equal(wrong.status, 422);
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
  });

  test('suspended user: 403, and active again after user set-status', async () => {
    createUser(server, 'suspended@example.com', { password: 'susp-pass', tenant: 'safeway' });
    cliJson(server.cli, 'user', 'set-status', '--email', 'suspended@example.com', '--status', 'suspended');
    const res = await login(server, 'suspended@example.com', 'susp-pass');
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, SUSPENDED);
    cliJson(server.cli, 'user', 'set-status', '--email', 'suspended@example.com', '--status', 'active');
    await loginOk(server, 'suspended@example.com', 'susp-pass');
  });

  test('suspended membership in the only tenant: 403', async () => {
    createUser(server, 'msusp@example.com', { password: 'msusp-pass', tenant: 'safeway' });
    cliJson(server.cli, 'member', 'set-status', '--user', 'msusp@example.com', '--tenant', 'safeway',
      '--status', 'suspended');
    const res = await login(server, 'msusp@example.com', 'msusp-pass');
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
  });

  test('X-Tenant picks the membership; default is the earliest one', async () => {
    createTenant(server, 'globetrek', 'GlobeTrek', ['--currency', 'EUR', '--products', 'flight']);
    createUser(server, 'multi@example.com', { password: 'multi-pass', tenant: 'safeway',
      role: 'agent' });
    cliJson(server.cli, 'member', 'add', '--user', 'multi@example.com', '--tenant', 'globetrek',
      '--role', 'Manager');

    const dflt = await loginOk(server, 'multi@example.com', 'multi-pass');
    assert.equal(dflt.user.tenant.slug, 'safeway');
    assert.equal(dflt.user.role.slug, 'user');

    const gt = await loginOk(server, 'multi@example.com', 'multi-pass',
      { headers: { 'X-Tenant': 'globetrek' } });
    assert.equal(gt.user.tenant.slug, 'globetrek');
    assert.equal(gt.user.tenant_id, gt.user.tenant.id);
    assert.equal(gt.user.tenant.default_currency, 'EUR');
    assert.deepEqual(gt.user.tenant.enabled_products, ['flight']);
    assert.equal(gt.user.role.slug, 'manager');
    assert.equal(gt.user.role.name, 'Manager');

    // The token remembers its tenant.
    const me = await api(server, 'GET', '/api/v1/auth/user', { token: gt.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.tenant.slug, 'globetrek');
    const meDefault = await api(server, 'GET', '/api/v1/auth/user', { token: dflt.token });
    assert.equal(meDefault.body.tenant.slug, 'safeway');
  });

  test('without X-Tenant, a suspended first membership is skipped for the next active one', async () => {
    createTenant(server, 'firstco', 'First Co');
    createTenant(server, 'secondco', 'Second Co');
    createUser(server, 'skip@example.com', { password: 'skip-pass', tenant: 'firstco' });
    cliJson(server.cli, 'member', 'add', '--user', 'skip@example.com', '--tenant', 'secondco',
      '--role', 'agent');
    cliJson(server.cli, 'member', 'set-status', '--user', 'skip@example.com', '--tenant', 'firstco',
      '--status', 'suspended');
    const { user } = await loginOk(server, 'skip@example.com', 'skip-pass');
    assert.equal(user.tenant.slug, 'secondco');
    const explicit = await login(server, 'skip@example.com', 'skip-pass',
      { headers: { 'X-Tenant': 'firstco' } });
    assert.equal(explicit.status, 403, explicit.text);
    assert.deepEqual(explicit.body, MEMBERSHIP_SUSPENDED);
  });

  test('X-Tenant of a tenant the user is not in, or unknown: 403 after a correct password', async () => {
    createTenant(server, 'othertenant', 'Other Tenant');
    for (const slug of ['othertenant', 'no-such-tenant']) {
      const res = await login(server, 'john@example.com', seed.password,
        { headers: { 'X-Tenant': slug } });
      assert.equal(res.status, 403, `${slug}: ${res.text}`);
      assert.deepEqual(res.body, NOT_MEMBER);
    }
    const wrong = await login(server, 'john@example.com', 'wrong-password',
      { headers: { 'X-Tenant': 'othertenant' } });
    assert.equal(wrong.status, 422, 'a wrong password is refused before the tenant is checked');
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
  });

  test('imported bcrypt ($2y$) user logs in, and again after the rehash', async () => {
    cliJson(server.cli, 'user', 'create', '--email', 'imported@example.com', '--name', 'Imported',
      '--password-hash', '$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi',
      '--tenant', 'safeway', '--role', 'agent');
    const bad = await login(server, 'imported@example.com', 'Password');
    assert.equal(bad.status, 422);
    const first = await loginOk(server, 'imported@example.com', 'password');
    assert.equal(first.user.email, 'imported@example.com');
    const second = await loginOk(server, 'imported@example.com', 'password');
    assert.equal(second.user.id, first.user.id);
    const bad2 = await login(server, 'imported@example.com', 'wrong');
    assert.equal(bad2.status, 422, 'the rehashed password still rejects wrong ones');
  });

  test('form-urlencoded body works like JSON', async () => {
    const form = new URLSearchParams({ email: 'john@example.com', password: seed.password,
      device_name: 'form device' }).toString();
    const res = await api(server, 'POST', TOKEN, { body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 200, res.text);
    assert.ok(parseToken(res.body.access_token));
    assert.equal(res.body.user.email, 'john@example.com');

    const missing = await api(server, 'POST', TOKEN, { body: 'email=john%40example.com',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(missing.status, 422, missing.text);
    assert.equal(missing.body.message, 'The password field is required. (and 1 more error)');
  });

  test('every response of the route carries X-RateLimit-* and X-Request-Id', async () => {
    for (const res of [
      await login(server, 'john@example.com', seed.password),
      await login(server, 'john@example.com', 'nope'),
      await api(server, 'POST', TOKEN, { body: {} }),
    ]) {
      for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset',
        'x-request-id']) {
        assert.ok(res.headers.get(h), `${res.status} response has ${h}`);
      }
    }
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});

describe('travel: LATCHKEY_TOKEN_PREFIX', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_TOKEN_PREFIX: 'xyz_' });
    createTenant(server, 'pfx', 'Prefix Co');
    createUser(server, 'pfx@example.com', { password: 'prefix-pass', tenant: 'pfx' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('secret is prefix + 40 + crc32b of the 40 random chars, and it authenticates', async () => {
    const { token } = await loginOk(server, 'pfx@example.com', 'prefix-pass');
    const t = parseToken(token, 'xyz_');
    assert.ok(t, `token ${JSON.stringify(token)} is "<id>|xyz_<40><8 hex>"`);
    assert.ok(t.crcOk, 'crc32b covers the 40 random chars only');
    const me = await api(server, 'GET', '/api/v1/auth/user', { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, 'pfx@example.com');
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});
