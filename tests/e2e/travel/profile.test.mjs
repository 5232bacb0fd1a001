// Seed 004: GET /api/v1/auth/user, its alias /api/v1/auth/profile, and
// POST /api/v1/auth/revoke - bearer authentication and tenant isolation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertSameShape, cliToken, createSeedData, createTenant, createUser, loginOk,
  INACTIVE, MEMBERSHIP_SUSPENDED, NOT_MEMBER, SEED_PROFILE, SUSPENDED, UNAUTHENTICATED,
} from '../lib/fixtures.mjs';
import {
  api, cliJson, crc32hex, parseToken, rawRequest, sleep, startServer,
} from '../lib/server.mjs';

const USER = '/api/v1/auth/user';
const PROFILE = '/api/v1/auth/profile';
const REVOKE = '/api/v1/auth/revoke';

describe('travel: /auth/user, /auth/profile, /auth/revoke', () => {
  let server;
  let seed;

  before(async () => {
    server = await startServer();
    seed = createSeedData(server);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('/auth/user and /auth/profile return the login profile', async () => {
    const { token, user } = await loginOk(server, 'john@example.com', seed.password);
    const u = await api(server, 'GET', USER, { token });
    const p = await api(server, 'GET', PROFILE, { token });
    assert.equal(u.status, 200, u.text);
    assert.equal(p.status, 200, p.text);
    assertSameShape(u.body, SEED_PROFILE);
    assert.deepEqual(u.body, user, '/auth/user equals the user returned at login');
    assert.deepEqual(p.body, user, '/auth/profile equals the user returned at login');
    assert.equal(u.body.last_login_at, user.last_login_at);
    assert.match(u.headers.get('content-type') || '', /application\/json/);
  });

  test('a CLI-created token authenticates, for its tenant', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'cli token');
    const u = await api(server, 'GET', PROFILE, { token });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.email, 'john@example.com');
    assert.equal(u.body.tenant.slug, 'safeway');
    assert.equal(u.body.role.slug, 'user');
  });

  test('a token without its "<id>|" part is looked up by hash (Sanctum)', async () => {
    const { token } = await loginOk(server, 'john@example.com', seed.password);
    const t = parseToken(token);
    const u = await api(server, 'GET', USER, { token: t.secret });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.email, 'john@example.com');
  });

  test('revoke: 200 {"ok":true}, that token is dead, another token still works', async () => {
    const a = await loginOk(server, 'john@example.com', seed.password, { device: 'phone' });
    const b = await loginOk(server, 'john@example.com', seed.password, { device: 'laptop' });
    const r = await api(server, 'POST', REVOKE, { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { ok: true });
    const dead = await api(server, 'GET', USER, { token: a.token });
    assert.equal(dead.status, 401);
    assert.deepEqual(dead.body, UNAUTHENTICATED);
    const again = await api(server, 'POST', REVOKE, { token: a.token });
    assert.equal(again.status, 401);
    const alive = await api(server, 'GET', USER, { token: b.token });
    assert.equal(alive.status, 200, alive.text);
    const row = cliJson(server.cli, 'token', 'list', '--user', 'john@example.com')
      .find((x) => String(x.id) === parseToken(a.token).id);
    assert.ok(row && row.revoked_at, 'token list shows revoked_at');
  });

  test('401 Unauthenticated for every bad credential', async () => {
    const { token } = await loginOk(server, 'john@example.com', seed.password);
    const t = parseToken(token);
    const otherRandom = 'A'.repeat(40);
    const forged = `${t.id}|${otherRandom}${crc32hex(otherRandom)}`;
    const cases = {
      'no Authorization': {},
      'empty bearer': { Authorization: 'Bearer ' },
      'bare "Bearer"': { Authorization: 'Bearer' },
      garbage: { Authorization: 'Bearer garbage' },
      'pipe only': { Authorization: 'Bearer |' },
      'id only': { Authorization: `Bearer ${t.id}|` },
      'Basic scheme': { Authorization: `Basic ${Buffer.from('john@example.com:x').toString('base64')}` },
      'token without scheme': { Authorization: token },
      'unknown id': { Authorization: `Bearer 999999999|${t.secret}` },
      'right id, wrong secret': { Authorization: `Bearer ${forged}` },
      'id with a sign': { Authorization: `Bearer +${t.id}|${t.secret}` },
      'very long token': { Authorization: `Bearer ${t.id}|${'x'.repeat(5000)}` },
    };
    for (const [name, headers] of Object.entries(cases)) {
      for (const [method, p] of [['GET', USER], ['GET', PROFILE], ['POST', REVOKE]]) {
        const res = await api(server, method, p, { headers });
        assert.equal(res.status, 401, `${name} ${method} ${p}: ${res.status} ${res.text}`);
        assert.deepEqual(res.body, UNAUTHENTICATED, `${name} ${method} ${p}`);
      }
    }
    // None of that hurt the real token.
    assert.equal((await api(server, 'GET', USER, { token })).status, 200);
  });

  test('401 for a token revoked with the CLI', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'to revoke');
    assert.equal((await api(server, 'GET', USER, { token })).status, 200);
    cliJson(server.cli, 'token', 'revoke', parseToken(token).id);
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHENTICATED);
  });

  test('401 for an expired token', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'short', ['--expires-in', '1s']);
    await sleep(2200);
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(res.body, UNAUTHENTICATED);
  });

  test('JSON error bodies without an Accept header', async () => {
    const res = await rawRequest(server,
      `GET ${USER} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.equal(res.status, 401, res.raw);
    assert.match(res.headers['content-type'] || '', /application\/json/);
    assert.deepEqual(res.json, UNAUTHENTICATED);
  });

  test('suspended user: 403 on /auth/user, back to 200 when reactivated', async () => {
    createUser(server, 'later-susp@example.com', { password: 'ls-pass', tenant: 'safeway' });
    const { token } = await loginOk(server, 'later-susp@example.com', 'ls-pass');
    cliJson(server.cli, 'user', 'set-status', '--email', 'later-susp@example.com', '--status', 'suspended');
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, SUSPENDED);
    cliJson(server.cli, 'user', 'set-status', '--email', 'later-susp@example.com', '--status', 'active');
    assert.equal((await api(server, 'GET', USER, { token })).status, 200);
  });

  test('suspended membership: 403 on /auth/user, back to 200 when reactivated', async () => {
    createUser(server, 'later-msusp@example.com', { password: 'lm-pass', tenant: 'safeway' });
    const { token } = await loginOk(server, 'later-msusp@example.com', 'lm-pass');
    cliJson(server.cli, 'member', 'set-status', '--user', 'later-msusp@example.com',
      '--tenant', 'safeway', '--status', 'suspended');
    const res = await api(server, 'GET', PROFILE, { token });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
    cliJson(server.cli, 'member', 'set-status', '--user', 'later-msusp@example.com',
      '--tenant', 'safeway', '--status', 'active');
    assert.equal((await api(server, 'GET', PROFILE, { token })).status, 200);
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});

describe('travel: tenant isolation', () => {
  let server;
  let a;
  let b;

  before(async () => {
    server = await startServer();
    a = createTenant(server, 'alpha-travel', 'Alpha Travel',
      ['--domain', 'alpha.example', '--currency', 'USD', '--products', 'hotel']);
    b = createTenant(server, 'beta-travel', 'Beta Travel',
      ['--domain', 'beta.example', '--currency', 'GBP', '--products', 'deals,flight']);
    createUser(server, 'ann@alpha.example', { password: 'ann-password', tenant: 'alpha-travel',
      role: 'Admin', name: 'Ann Alpha' });
    createUser(server, 'bob@beta.example', { password: 'bob-password', tenant: 'beta-travel',
      role: 'owner', name: 'Bob Beta', extra: ['--attributes', '{"vacation_pool_balance":"9.5"}'] });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('each token shows only its own tenant', async () => {
    const ann = await loginOk(server, 'ann@alpha.example', 'ann-password');
    const bob = await loginOk(server, 'bob@beta.example', 'bob-password');
    const pa = (await api(server, 'GET', USER, { token: ann.token })).body;
    const pb = (await api(server, 'GET', USER, { token: bob.token })).body;
    assert.equal(pa.tenant_id, a.id);
    assert.equal(pb.tenant_id, b.id);
    assert.deepEqual(pa.tenant, { id: a.id, name: 'Alpha Travel', slug: 'alpha-travel',
      domain: 'alpha.example', default_currency: 'USD', enabled_products: ['hotel'] });
    assert.deepEqual(pb.tenant, { id: b.id, name: 'Beta Travel', slug: 'beta-travel',
      domain: 'beta.example', default_currency: 'GBP', enabled_products: ['deals', 'flight'] });
    assert.equal(pa.role.slug, 'admin');
    assert.equal(pb.role.slug, 'owner');
    assert.equal(pb.vacation_pool_balance, '9.50', 'balance is rendered with two decimals');
    assert.ok(!JSON.stringify(pa).includes('beta'), "Ann's profile holds nothing of Beta");
    assert.ok(!JSON.stringify(pb).includes('alpha'), "Bob's profile holds nothing of Alpha");
  });

  test("a tenant A token with X-Tenant: B is refused and never shows B's data", async () => {
    const ann = await loginOk(server, 'ann@alpha.example', 'ann-password');
    for (const p of [USER, PROFILE]) {
      const res = await api(server, 'GET', p, { token: ann.token, headers: { 'X-Tenant': 'beta-travel' } });
      assert.equal(res.status, 403, res.text);
      assert.deepEqual(res.body, NOT_MEMBER);
      assert.ok(!res.text.includes('Beta'));
    }
    const own = await api(server, 'GET', USER, { token: ann.token, headers: { 'X-Tenant': 'alpha-travel' } });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.tenant.slug, 'alpha-travel');
  });

  test('a member of both tenants: a token for A with X-Tenant: B is still refused', async () => {
    createUser(server, 'both@example.com', { password: 'both-password', tenant: 'alpha-travel', role: 'agent' });
    cliJson(server.cli, 'member', 'add', '--user', 'both@example.com', '--tenant', 'beta-travel',
      '--role', 'owner');
    const a = await loginOk(server, 'both@example.com', 'both-password',
      { headers: { 'X-Tenant': 'alpha-travel' } });
    assert.equal(a.user.tenant.slug, 'alpha-travel');
    const res = await api(server, 'GET', USER, { token: a.token, headers: { 'X-Tenant': 'beta-travel' } });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, NOT_MEMBER);
    assert.ok(!res.text.includes('Beta'), 'nothing of tenant B in the refusal');
    const b = await loginOk(server, 'both@example.com', 'both-password',
      { headers: { 'X-Tenant': 'beta-travel' } });
    assert.equal(b.user.tenant.slug, 'beta-travel');
    assert.equal(b.user.role.slug, 'owner');
  });

  test('a user made inactive after the token was issued gets 403 inactive', async () => {
    createUser(server, 'later@example.com', { password: 'later-password', tenant: 'alpha-travel' });
    const { token } = await loginOk(server, 'later@example.com', 'later-password');
    cliJson(server.cli, 'user', 'set-status', '--email', 'later@example.com', '--status', 'inactive');
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, INACTIVE);
    cliJson(server.cli, 'user', 'set-status', '--email', 'later@example.com', '--status', 'active');
    assert.equal((await api(server, 'GET', USER, { token })).status, 200);
  });

  test('login matches the email case-insensitively', async () => {
    const { user } = await loginOk(server, 'ANN@Alpha.Example', 'ann-password');
    assert.equal(user.email, 'ann@alpha.example');
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});
