// Issue 17: RFC 7662 POST /oauth/introspect and RFC 7009 POST /oauth/revoke
// for every kind of latchkey token - a travel token, a WedoCOD-style scoped
// API key, a WNCMS API token (Sanctum PATs), an admin token (seed 001) and
// an AutoCom JWT (seed 002) - from the outside: who may call, what an active
// token says, that every inactive token is exactly {"active":false}, tenant
// isolation, revocation in force at once on the token's own surface, and
// bad requests in RFC 6749's error shape.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, createStaff, OWNER_EMAIL, STAFF_PASSWORD, startAdminServer } from '../lib/admin.mjs';
import { loginOk as autocomLogin, registerOk } from '../lib/autocom.mjs';
import { cliToken, createTenant, createUser, loginOk } from '../lib/fixtures.mjs';
import {
  assertOAuthError, authHeader, INACTIVE, introspect, introspectOk, oauthPost, revoke,
} from '../lib/oauth.mjs';
import { api, cliJson, sleep, withServer } from '../lib/server.mjs';
import { apiToken } from '../lib/wncms.mjs';

const PASSWORD = 'secret-password-1';
const SERVICE = ['svc@platform.test', STAFF_PASSWORD];

describe('oauth: introspection and revocation', () => {
  let server;
  let ownerToken; // an admin token
  let ids; // tenant ids by slug
  const callers = {}; // {bearer} or {basic}

  // A fresh travel token of alice (acme) or bob (beta).
  const travelToken = async (email) => (await loginOk(server, email, PASSWORD)).token;
  const platform = () => ({ basic: SERVICE });

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    ownerToken = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    ids = {};
    for (const slug of ['acme', 'beta']) ids[slug] = createTenant(server, slug).id;
    createUser(server, 'alice@acme.test', { tenant: 'acme' });
    createUser(server, 'bob@beta.test', { tenant: 'beta' });
    createUser(server, 'svc@acme.test', { tenant: 'acme' });
    createUser(server, 'svc@beta.test', { tenant: 'beta' });
    ids.shop = createTenant(server, 'shop', 'Shop', ['--product', 'wedocod']).id;
    createUser(server, 'owner@shop.test', { tenant: 'shop', role: 'owner' });
    ids.site = createTenant(server, 'site', 'Site', ['--product', 'wncms']).id;
    createUser(server, 'editor@site.test', { tenant: 'site', role: 'editor' });
    await registerOk(server, 'corp', 'boss@corp.test');
    createStaff(server, SERVICE[0], 'service');
    createStaff(server, 'support@platform.test', 'support');
    const svc = ['--abilities', 'tokens:introspect'];
    callers.acme = { bearer: cliToken(server, 'svc@acme.test', 'acme', 'svc', svc) };
    callers.beta = { bearer: cliToken(server, 'svc@beta.test', 'beta', 'svc', svc) };
    callers.star = { bearer: cliToken(server, 'svc@acme.test', 'acme', 'star') };
    callers.platformToken = {
      bearer: cliJson(server.cli, 'token', 'create', '--user', SERVICE[0], '--name', 'svc',
        ...svc).token,
    };
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('callers: none, a wrong credential, or one without tokens:introspect are refused', async () => {
    const alice = await travelToken('alice@acme.test');
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      assertOAuthError(await oauthPost(server, path, null, { token: alice }), 401, 'invalid_client');
      assertOAuthError(await oauthPost(server, path, { bearer: 'nonsense' }, { token: alice }), 401,
        'invalid_client');
      assertOAuthError(await oauthPost(server, path, { basic: [SERVICE[0], 'wrong'] },
        { token: alice }), 401, 'invalid_client');
      assertOAuthError(await oauthPost(server, path, { basic: ['nobody@x.test', 'wrong'] },
        { token: alice }), 401, 'invalid_client');
      // A '*' token does not stand for tokens:introspect; a user token
      // neither; staff without the permission, nor a user who is not staff.
      for (const c of [callers.star, { bearer: alice }, { basic: ['support@platform.test', STAFF_PASSWORD] },
        { basic: ['alice@acme.test', PASSWORD] }]) {
        assertOAuthError(await oauthPost(server, path, c, { token: alice }), 403, 'insufficient_scope');
      }
      // An admin token is no service token.
      assertOAuthError(await oauthPost(server, path, { bearer: ownerToken }, { token: alice }), 401,
        'invalid_client');
    }
    // None of that revoked anything.
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: alice })).status, 200);
  });

  test('a travel token: active with its user, tenant, role and abilities', async () => {
    const token = await travelToken('alice@acme.test');
    const before = Math.floor(Date.now() / 1000) - 2;
    const body = await introspectOk(server, platform(), token);
    assert.deepEqual(Object.keys(body).sort(), ['abilities', 'active', 'iat', 'jti', 'role',
      'scope', 'sub', 'tenant', 'tenant_slug', 'token_kind', 'token_type', 'username'].sort());
    assert.equal(body.active, true);
    assert.equal(body.username, 'alice@acme.test');
    assert.match(body.sub, /^\d+$/);
    assert.equal(body.tenant, ids.acme);
    assert.equal(body.tenant_slug, 'acme');
    assert.equal(body.role, 'user'); // travel's Agent
    assert.equal(body.token_kind, 'pat');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, '*');
    assert.equal(body.jti, token.split('|')[0]);
    assert.ok(body.iat >= before && body.iat <= before + 60, `iat ${body.iat}`);
    // The same answer for a JSON body and with a hint.
    const json = await oauthPost(server, '/oauth/introspect', platform(), { token }, { json: true });
    assert.deepEqual(json.body, body);
    const hinted = await introspect(server, platform(), token, { token_type_hint: 'refresh_token' });
    assert.deepEqual(hinted.body, body);
    // The platform's service token says the same.
    assert.deepEqual(await introspectOk(server, callers.platformToken, token), body);
  });

  test('a scoped API key: its scopes (spaces as _) and exp; expired is inactive', async () => {
    const key = cliToken(server, 'owner@shop.test', 'shop', 'key',
      ['--abilities', 'VIEW LEADS,CREATE LEADS', '--expires-in', '30d']);
    const body = await introspectOk(server, platform(), key);
    assert.equal(body.active, true);
    assert.equal(body.scope, 'VIEW_LEADS CREATE_LEADS');
    assert.deepEqual(body.abilities, ['VIEW LEADS', 'CREATE LEADS']);
    assert.equal(body.tenant, ids.shop);
    assert.equal(body.role, 'owner');
    const exp = Math.floor(Date.now() / 1000) + 30 * 86400;
    assert.ok(Math.abs(body.exp - exp) < 60, `exp ${body.exp}`);

    const short = cliToken(server, 'owner@shop.test', 'shop', 'short', ['--expires-in', '1s']);
    await sleep(2100);
    assert.deepEqual(await introspectOk(server, platform(), short), INACTIVE);
  });

  test('a WNCMS API token: active; rotated away: inactive', async () => {
    const first = apiToken(server, 'editor@site.test', 'site');
    const body = await introspectOk(server, platform(), first);
    assert.equal(body.active, true);
    assert.equal(body.tenant_slug, 'site');
    assert.equal(body.username, 'editor@site.test');
    apiToken(server, 'editor@site.test', 'site');
    assert.deepEqual(await introspectOk(server, platform(), first), INACTIVE);
  });

  test('an admin token: active with the staff role and no tenant', async () => {
    const body = await introspectOk(server, platform(), ownerToken);
    assert.equal(body.active, true);
    assert.equal(body.token_kind, 'admin');
    assert.equal(body.username, OWNER_EMAIL);
    assert.equal(body.role, 'owner');
    assert.equal(body.tenant, undefined);
    assert.ok(body.exp > Math.floor(Date.now() / 1000) + 23 * 3600);
    // A tenant's service token never sees a token of no tenant.
    assert.deepEqual(await introspectOk(server, callers.acme, ownerToken), INACTIVE);
  });

  test('an AutoCom JWT: active with iss, aud, its role permissions as scope', async () => {
    const { token } = await autocomLogin(server, 'corp', 'boss@corp.test');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    const body = await introspectOk(server, platform(), token);
    assert.equal(body.active, true);
    assert.equal(body.token_kind, 'jwt');
    assert.equal(body.sub, claims.sub);
    assert.equal(body.jti, claims.jti);
    assert.equal(body.iss, claims.iss);
    assert.equal(body.aud, claims.aud);
    assert.equal(body.exp, claims.exp);
    assert.equal(body.tenant_slug, 'corp');
    assert.equal(body.role, 'owner');
    assert.deepEqual(body.abilities, claims.scopes);
    assert.equal(body.scope, claims.scopes.join(' '));
    // Tampered, or signed by nobody: inactive.
    const [h, p, s] = token.split('.');
    assert.deepEqual(await introspectOk(server, platform(), `${h}.${p}.${s.slice(0, -4)}AAAA`), INACTIVE);
    assert.deepEqual(await introspectOk(server, platform(), `${h}.${p}.`), INACTIVE);
  });

  test('garbage of every sort is exactly {"active":false}', async () => {
    const alice = await travelToken('alice@acme.test');
    const [id, secret] = alice.split('|');
    for (const t of ['x', 'a.b.c', '1|', '|abc', `${id}|${secret}x`, `999999|${secret}`, secret.slice(1),
      'é'.repeat(100), 'a'.repeat(9000), '0|0', '-1|abc', `${id}|${secret}|x`, 'Bearer x', ' ',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.']) {
      assert.deepEqual(await introspectOk(server, platform(), t), INACTIVE, JSON.stringify(t.slice(0, 40)));
    }
  });

  test('suspended user, suspended tenant, revoked: inactive; back when reactivated', async () => {
    createUser(server, 'carol@acme.test', { tenant: 'acme' });
    const carol = await travelToken('carol@acme.test');
    assert.equal((await introspectOk(server, callers.acme, carol)).active, true);
    cliJson(server.cli, 'user', 'set-status', '--email', 'carol@acme.test', '--status', 'suspended');
    assert.deepEqual(await introspectOk(server, callers.acme, carol), INACTIVE);
    cliJson(server.cli, 'user', 'set-status', '--email', 'carol@acme.test', '--status', 'active');
    assert.equal((await introspectOk(server, callers.acme, carol)).active, true);

    const patch = (status) => api(server, 'PATCH', `/admin/tenants/${ids.beta}`,
      { token: ownerToken, body: { status } });
    const bob = await travelToken('bob@beta.test');
    assert.equal((await patch('suspended')).status, 200);
    assert.deepEqual(await introspectOk(server, platform(), bob), INACTIVE);
    assert.equal((await patch('active')).status, 200);
    assert.equal((await introspectOk(server, platform(), bob)).active, true);

    assert.equal((await api(server, 'POST', '/api/v1/auth/revoke', { token: bob })).status, 200);
    assert.deepEqual(await introspectOk(server, platform(), bob), INACTIVE);
  });

  test('tenant isolation: a tenant service token sees and revokes its tenant only', async () => {
    const alice = await travelToken('alice@acme.test');
    const bob = await travelToken('bob@beta.test');
    const { token: jwt } = await autocomLogin(server, 'corp', 'boss@corp.test');
    assert.equal((await introspectOk(server, callers.acme, alice)).active, true);
    assert.equal((await introspectOk(server, callers.beta, bob)).active, true);
    for (const t of [bob, jwt]) assert.deepEqual(await introspectOk(server, callers.acme, t), INACTIVE);
    assert.deepEqual(await introspectOk(server, callers.beta, alice), INACTIVE);
    // Revoking another tenant's token answers 200 and changes nothing.
    const r = await revoke(server, callers.acme, bob);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {});
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: bob })).status, 200);
    assert.equal((await introspectOk(server, callers.beta, bob)).active, true);
    // Its own tenant's: revoked.
    assert.equal((await revoke(server, callers.beta, bob)).status, 200);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: bob })).status, 401);
  });

  test('revocation is in force at once on the token\'s own surface, for every kind', async () => {
    // A travel token.
    const alice = await travelToken('alice@acme.test');
    assert.equal((await revoke(server, callers.acme, alice)).status, 200);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: alice })).status, 401);
    assert.deepEqual(await introspectOk(server, callers.acme, alice), INACTIVE);
    // An AutoCom JWT: its row (jti) is revoked.
    const { token: jwt } = await autocomLogin(server, 'corp', 'boss@corp.test');
    const me = () => api(server, 'GET', '/api/v1/auth/me', { token: jwt, headers: { 'X-Tenant': 'corp' } });
    assert.equal((await me()).status, 200);
    assert.equal((await revoke(server, platform(), jwt, { token_type_hint: 'access_token' })).status, 200);
    assert.equal((await me()).status, 401);
    // An admin token.
    createStaff(server, 'dev@platform.test', 'developer');
    const dev = (await adminLoginOk(server, 'dev@platform.test', STAFF_PASSWORD)).token;
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: dev })).status, 200);
    assert.equal((await revoke(server, callers.platformToken, dev)).status, 200);
    assert.equal((await api(server, 'GET', '/admin/auth/me', { token: dev })).status, 401);
    // A token revoked while its user was suspended stays revoked.
    createUser(server, 'dave@acme.test', { tenant: 'acme' });
    const dave = await travelToken('dave@acme.test');
    cliJson(server.cli, 'user', 'set-status', '--email', 'dave@acme.test', '--status', 'suspended');
    assert.equal((await revoke(server, callers.acme, dave)).status, 200);
    cliJson(server.cli, 'user', 'set-status', '--email', 'dave@acme.test', '--status', 'active');
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: dave })).status, 401);
    // Unknown and garbage tokens: 200 as well (RFC 7009 2.2).
    for (const t of ['nonsense', '123|abc', 'a.b.c']) {
      const r = await revoke(server, callers.acme, t);
      assert.equal(r.status, 200, r.text);
    }
  });

  test('bad requests: 400 invalid_request; GET: 405; an unknown hint is only a hint', async () => {
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      assertOAuthError(await oauthPost(server, path, platform(), {}), 400, 'invalid_request');
      assertOAuthError(await oauthPost(server, path, platform(), { token: '' }), 400, 'invalid_request');
      assertOAuthError(await oauthPost(server, path, platform(), { token: 12 }, { json: true }), 400,
        'invalid_request');
      assertOAuthError(await oauthPost(server, path, platform(), { token: ['x'] }, { json: true }), 400,
        'invalid_request');
      const broken = await api(server, 'POST', path, { body: '{"token":', headers: authHeader(platform()) });
      assertOAuthError(broken, 400, 'invalid_request');
      const get = await api(server, 'GET', path, { headers: authHeader(platform()) });
      assert.equal(get.status, 405, get.text);
      assert.equal(get.body.error, 'method_not_allowed');
    }
    const alice = await travelToken('alice@acme.test');
    const odd = await introspect(server, callers.acme, alice, { token_type_hint: 'no_such_type' });
    assert.equal(odd.body.active, true);
  });
});

describe('oauth: a service account under the guessing limit', () => {
  test('wrong Basic passwords lock the account: 429 with Retry-After, the right one too',
    { timeout: 60000 }, async () => {
      await withServer({ LATCHKEY_RATE_ACCOUNT_LOGIN: '3/60' }, async (server) => {
        createStaff(server, SERVICE[0], 'service');
        createTenant(server, 'acme');
        createUser(server, 'alice@acme.test', { tenant: 'acme' });
        const { token } = await loginOk(server, 'alice@acme.test', PASSWORD);
        // Guesses before the account was ever used (a remembered, proven
        // credential is no guess: core/basicauth.h).
        for (let i = 0; i < 3; i++) {
          assertOAuthError(await introspect(server, { basic: [SERVICE[0], `wrong-${i}`] }, token), 401,
            'invalid_client');
        }
        const locked = await introspect(server, { basic: SERVICE }, token);
        assertOAuthError(locked, 429, 'slow_down');
        const wait = Number(locked.headers.get('retry-after'));
        assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
        // A service token is not affected.
        const svc = { bearer: cliToken(server, 'alice@acme.test', 'acme', 'svc',
          ['--abilities', 'tokens:introspect']) };
        assert.equal((await introspectOk(server, svc, token)).active, true);
      });
    });
});
