// Issue 17, forward-auth: GET /auth/verify decides by the access rules, as
// nginx (X-Original-Method/-URI) and traefik (X-Forwarded-Method/-Uri) ask
// it, for each credential kind (Sanctum PAT, AutoCom JWT, the dashboard
// session, a WedoCOD API key), with abilities, roles, tenants, switches,
// public rules and the default for a request no rule matches.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, OWNER_EMAIL, startAdminServer } from '../lib/admin.mjs';
import { loginOk as autocomLogin, registerOk } from '../lib/autocom.mjs';
import { cliToken, createUser } from '../lib/fixtures.mjs';
import { addRule, assertRefused, authHeaders, verify } from '../lib/fwdauth.mjs';
import { api, waitFor } from '../lib/server.mjs';
import { createAccount, generateKey, webClient } from '../lib/wedocod.mjs';

describe('fwdauth: GET /auth/verify', () => {
  let server;
  let agent;
  let agentPat;
  let viewOnlyPat;
  let ownerJwt;
  let sessionCookie;
  let apiKey;

  before(async () => {
    ({ server } = await startAdminServer());
    await registerOk(server, 'acme', 'owner@acme.test');
    await registerOk(server, 'other', 'owner@other.test');
    ownerJwt = (await autocomLogin(server, 'acme', 'owner@acme.test')).token;
    agent = createUser(server, 'agent@acme.test', { tenant: 'acme', role: 'agent' });
    agentPat = cliToken(server, 'agent@acme.test', 'acme');
    viewOnlyPat = cliToken(server, 'agent@acme.test', 'acme', 'view', ['--abilities', 'orders.view']);
    createAccount(server, 'shop', 'boss@shop.test');
    const web = webClient(server);
    await web.login('boss@shop.test');
    sessionCookie = `latchkey_session=${web.cookie('latchkey_session')}`;
    apiKey = (await generateKey(web, 'reader', ['VIEW LEADS'])).token;
    addRule(server, { method: 'GET', pattern: '/orders/{id}', ability: 'orders.view' });
    addRule(server, { method: 'POST', pattern: '/orders', ability: 'orders.create' });
    addRule(server, { pattern: '/manage/*', role: 'owner' });
    addRule(server, { pattern: '/public/*', auth: 'none' });
    addRule(server, { pattern: '/jwt-only/*', auth: 'jwt' });
    addRule(server, { pattern: '/session/*', auth: 'session' });
    addRule(server, { pattern: '/off/*', disabled: true });
    addRule(server, { method: 'GET', pattern: '/leads/{id}', ability: 'VIEW LEADS' });
    addRule(server, { method: 'DELETE', pattern: '/leads/{id}', ability: 'DELETE LEADS' });
    addRule(server, { pattern: '/own/*', tenant: 'credential' });
    // The rules were written by the CLI: the server's poller loads them.
    assert.ok(await waitFor(async () => (await verify(server, 'GET', '/own/x')).body.reason !==
      'no_rule'), 'the server loaded the rules');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('nginx headers: a PAT with the ability passes, with the X-Auth-* headers', async () => {
    const res = await verify(server, 'GET', '/orders/7?expand=items', { token: agentPat });
    assert.equal(res.status, 200, res.text);
    const h = authHeaders(res);
    assert.equal(h['x-auth-user-id'], String(agent.id));
    assert.equal(h['x-auth-email'], 'agent@acme.test');
    assert.equal(h['x-auth-tenant'], 'acme');
    assert.equal(h['x-auth-role'], 'agent');
    assert.ok(h['x-auth-abilities'].split(',').includes('orders.view'), h['x-auth-abilities']);
    assert.match(res.headers.get('cache-control'), /no-store/);
    // No body: nginx would otherwise drop its keep-alive connection to latchkey.
    assert.equal(res.text, '');
    assert.equal(res.headers.get('content-length'), '0');
  });

  test('traefik headers: the same decision from X-Forwarded-Method/-Uri', async () => {
    const ok = await verify(server, 'POST', '/orders', { token: agentPat, traefik: true });
    assert.equal(ok.status, 200, ok.text);
    // A token limited to orders.view: the role grants orders.create, the token does not.
    assertRefused(await verify(server, 'POST', '/orders', { token: viewOnlyPat, traefik: true }),
      403, 'ability');
    const view = await verify(server, 'GET', '/orders/1', { token: viewOnlyPat, traefik: true });
    assert.equal(view.status, 200, view.text);
    assert.equal(authHeaders(view)['x-auth-abilities'], 'orders.view');
  });

  test('401 without a credential or with a bad one', async () => {
    assertRefused(await verify(server, 'GET', '/orders/7'), 401, 'no_credential');
    assertRefused(await verify(server, 'GET', '/orders/7', { token: '1|nope' }), 401,
      'bad_credential');
    assertRefused(await verify(server, 'GET', '/orders/7', { token: 'a.b.c' }), 401,
      'bad_credential');
  });

  test('a JWT; a rule requiring the owner role', async () => {
    const res = await verify(server, 'DELETE', '/manage/users/3', { token: ownerJwt });
    assert.equal(res.status, 200, res.text);
    assert.equal(authHeaders(res)['x-auth-role'], 'owner');
    assert.equal(authHeaders(res)['x-auth-tenant'], 'acme');
    assertRefused(await verify(server, 'GET', '/manage', { token: agentPat }), 403, 'role');
  });

  test('auth modes: a rule accepting only JWTs refuses a PAT as unauthenticated', async () => {
    assertRefused(await verify(server, 'GET', '/jwt-only/x', { token: agentPat }), 401,
      'bad_credential');
    assert.equal((await verify(server, 'GET', '/jwt-only/x', { token: ownerJwt })).status, 200);
  });

  test('the dashboard session cookie', async () => {
    const res = await verify(server, 'GET', '/session/home', { cookie: sessionCookie });
    assert.equal(res.status, 200, res.text);
    assert.equal(authHeaders(res)['x-auth-email'], 'boss@shop.test');
    assert.equal(authHeaders(res)['x-auth-tenant'], 'shop');
    assertRefused(await verify(server, 'GET', '/session/home', { cookie: 'latchkey_session=gone' }),
      401, 'bad_credential');
    // A session is not accepted where the rule takes JWTs only.
    assertRefused(await verify(server, 'GET', '/jwt-only/x', { cookie: sessionCookie }), 401,
      'bad_credential');
  });

  test('a WedoCOD API key with its scope, and without the other', async () => {
    const res = await verify(server, 'GET', '/leads/4', { token: apiKey });
    assert.equal(res.status, 200, res.text);
    assert.equal(authHeaders(res)['x-auth-abilities'], 'VIEW LEADS');
    assertRefused(await verify(server, 'DELETE', '/leads/4', { token: apiKey }), 403, 'ability');
  });

  test('a public rule passes without a credential and sends no X-Auth-* header', async () => {
    const res = await verify(server, 'POST', '/public/signup');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(authHeaders(res), {});
  });

  test('a switched-off rule refuses every request it matches', async () => {
    assertRefused(await verify(server, 'GET', '/off/x', { token: ownerJwt }), 403, 'disabled');
  });

  test('no rule matches: 403 (deny by default)', async () => {
    assertRefused(await verify(server, 'GET', '/nowhere', { token: ownerJwt }), 403, 'no_rule');
    // The method counts: only GET and DELETE rules exist for /leads/{id}.
    assertRefused(await verify(server, 'PUT', '/leads/4', { token: apiKey }), 403, 'no_rule');
  });

  test('the URI is normalised as nginx does before a rule is chosen', async () => {
    // Dot segments and escapes cannot turn a protected path into a public one.
    assertRefused(await verify(server, 'GET', '/public/../orders/7'), 401, 'no_credential');
    assertRefused(await verify(server, 'GET', '/public/%2e%2e/orders/7'), 401, 'no_credential');
    assertRefused(await verify(server, 'GET', '//orders//7'), 401, 'no_credential');
    assert.equal((await verify(server, 'GET', '/public/./a/../b')).status, 200);
    assertRefused(await verify(server, 'GET', '/../etc/passwd'), 403, 'bad_uri');
    assertRefused(await verify(server, 'GET', '/public/%00'), 403, 'bad_uri');
    assertRefused(await verify(server, 'GET', '/public/%zz'), 403, 'bad_uri');
    assertRefused(await verify(server, 'GET', 'http://x/public'), 403, 'bad_uri');
  });

  test('the tenant: X-Tenant is held to the credential, or ignored by tenant=credential', async () => {
    // A PAT belongs to its tenant; naming another one is refused.
    assertRefused(await verify(server, 'GET', '/orders/1', { token: agentPat, tenant: 'other' }),
      403, 'refused');
    // A JWT works in every tenant of its user, and only there.
    assertRefused(await verify(server, 'GET', '/manage/x', { token: ownerJwt, tenant: 'other' }),
      403, 'refused');
    assertRefused(await verify(server, 'GET', '/manage/x', { token: ownerJwt, tenant: 'nope' }),
      403, 'refused');
    const own = await verify(server, 'GET', '/own/x', { token: agentPat, tenant: 'other' });
    assert.equal(own.status, 200, own.text);
    assert.equal(authHeaders(own)['x-auth-tenant'], 'acme');
  });

  test('the original method defaults to the request\'s own; the route takes any method', async () => {
    const res = await api(server, 'POST', '/auth/verify', {
      token: agentPat, headers: { 'X-Forwarded-Uri': '/orders' } });
    assert.equal(res.status, 200, res.text);
    const head = await fetch(`${server.url}/auth/verify`, { method: 'HEAD',
      headers: { 'X-Original-URI': '/public/x' } });
    assert.equal(head.status, 200);
  });
  test('envoy: the original path below /auth/verify, the original method as the method', async () => {
    const ok = await api(server, 'GET', '/auth/verify/orders/7?x=1', { token: agentPat });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(authHeaders(ok)['x-auth-tenant'], 'acme');
    const del = await api(server, 'DELETE', '/auth/verify/leads/4', { token: apiKey });
    assertRefused(del, 403, 'ability');
    assertRefused(await api(server, 'PUT', '/auth/verify/orders/7', { token: agentPat }), 403,
      'no_rule');
    // The path arrives decoded once; it is not decoded again: "%252e%252e" is the
    // service's literal "%2e%2e" segment, never "..".
    const lit = await api(server, 'GET', '/auth/verify/public/%252e%252e/orders/7');
    assert.equal(lit.status, 200, lit.text);
    // Headers, when sent, win over the path.
    const h = await api(server, 'GET', '/auth/verify/public/x', { headers: {
      'X-Original-URI': '/orders/7' } });
    assertRefused(h, 401, 'no_credential');
  });
});

describe('fwdauth: rules through the admin API', () => {
  let server;
  let owner;

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  const call = (method, path, body, token = owner) => api(server, method, path, { token, body });

  test('create, list, change, delete: each in force at once', async () => {
    assertRefused(await verify(server, 'GET', '/docs/a'), 403, 'no_rule');
    const created = await call('POST', '/admin/rules', { pattern: '/docs/*', auth: 'none' });
    assert.equal(created.status, 201, created.text);
    const rule = created.body.data;
    assert.deepEqual({ ...rule, created_at: 0, updated_at: 0 }, { id: rule.id, method: '*',
      pattern: '/docs/*', auth: 'none', ability: null, role: null, tenant: 'header',
      enabled: true, created_at: 0, updated_at: 0 });
    assert.equal((await verify(server, 'GET', '/docs/a')).status, 200);

    const list = await call('GET', '/admin/rules');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.rules.map((r) => r.pattern), ['/docs/*']);

    const off = await call('PATCH', `/admin/rules/${rule.id}`, { enabled: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.data.enabled, false);
    assert.equal(off.body.data.pattern, '/docs/*');
    assertRefused(await verify(server, 'GET', '/docs/a'), 403, 'disabled');

    const tighter = await call('PATCH', `/admin/rules/${rule.id}`,
      { enabled: true, auth: 'jwt,pat', ability: 'docs.read' });
    assert.equal(tighter.body.data.auth, 'pat,jwt');
    assertRefused(await verify(server, 'GET', '/docs/a'), 401, 'no_credential');

    const del = await call('DELETE', `/admin/rules/${rule.id}`);
    assert.equal(del.status, 200, del.text);
    assertRefused(await verify(server, 'GET', '/docs/a'), 403, 'no_rule');
    assert.equal((await call('GET', `/admin/rules/${rule.id}`)).status, 404);
    assert.equal((await call('DELETE', `/admin/rules/${rule.id}`)).status, 404);
  });

  test('422 for a bad rule, a duplicate, or a wrong type', async () => {
    const cases = [
      [{ pattern: 'docs' }, 'pattern'],
      [{ pattern: '/a/*/b' }, 'pattern'],
      [{ pattern: '/a/{x' }, 'pattern'],
      [{ pattern: '/a/..' }, 'pattern'],
      [{ pattern: '/a', method: 'BREW' }, 'method'],
      [{ pattern: '/a', auth: 'pat,magic' }, 'auth'],
      [{ pattern: '/a', auth: 'none', role: 'owner' }, 'auth'],
      [{ pattern: '/a', tenant: 'cookie' }, 'tenant'],
      [{ pattern: '/a', ability: 'a,b' }, 'ability'],
      [{ pattern: '/a', enabled: 'yes' }, 'enabled'],
      [{ pattern: 7 }, 'pattern'],
      [{}, 'pattern'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', '/admin/rules', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.success, false);
      assert.ok(r.body.errors[field], `${JSON.stringify(body)}: ${r.text}`);
    }
    assert.equal((await call('POST', '/admin/rules', { pattern: '/dup' })).status, 201);
    const dup = await call('POST', '/admin/rules', { pattern: '/dup', method: 'any' });
    assert.equal(dup.status, 422, dup.text);
    assert.ok(dup.body.errors.pattern);
  });

  test('staff without rules:manage may not change rules', async () => {
    const { createStaff, STAFF_PASSWORD } = await import('../lib/admin.mjs');
    createStaff(server, 'dev@admin.test', 'developer');
    const dev = (await adminLoginOk(server, 'dev@admin.test', STAFF_PASSWORD)).token;
    assert.equal((await call('POST', '/admin/rules', { pattern: '/x' }, dev)).status, 403);
    assert.equal((await call('GET', '/admin/rules', undefined, dev)).status, 403);
    assert.equal((await call('GET', '/admin/rules', undefined, 'nope')).status, 401);
  });
});
