// Issue 17 on two instances over one database (tests/e2e/scale's pair): a
// token revoked through POST /oauth/revoke on one instance is refused by
// the other - on its own surface and by its introspection - within 1 s,
// for a Sanctum token and for an AutoCom JWT; introspection on either
// instance agrees before that.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { call, loginOk as autocomLogin, registerOk } from '../lib/autocom.mjs';
import { cliToken, createTenant, createUser, loginOk } from '../lib/fixtures.mjs';
import { INACTIVE, introspect, introspectOk, revoke } from '../lib/oauth.mjs';
import { startPair, within } from '../lib/scale.mjs';
import { api } from '../lib/server.mjs';

describe('oauth: revocation on two instances', () => {
  let pair;
  let a;
  let b;
  let service;

  before(async () => {
    pair = await startPair();
    ({ a, b } = pair);
    createTenant(a, 'acme');
    createUser(a, 'alice@acme.test', { tenant: 'acme' });
    createUser(a, 'svc@acme.test', { tenant: 'acme' });
    service = { bearer: cliToken(a, 'svc@acme.test', 'acme', 'svc', ['--abilities', 'tokens:introspect']) };
    await registerOk(a, 'my-store', 'john@mystore.com');
    createUser(a, 'svc@mystore.test', { tenant: 'my-store', role: 'agent' });
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  test('a Sanctum token revoked on A: B refuses it within 1 s', async () => {
    const { token } = await loginOk(a, 'alice@acme.test', 'secret-password-1');
    assert.equal((await introspectOk(b, service, token)).active, true);
    assert.equal((await api(b, 'GET', '/api/v1/auth/user', { token })).status, 200);
    assert.equal((await revoke(a, service, token)).status, 200);
    const user = await within(1000, 401, async () =>
      (await api(b, 'GET', '/api/v1/auth/user', { token })).status);
    assert.ok(user.ok, `B still answered ${user.last} after ${user.ms} ms`);
    const seen = await within(1000, false, async () => (await introspect(b, service, token)).body.active);
    assert.ok(seen.ok, `B still introspected it active after ${seen.ms} ms`);
    assert.deepEqual((await introspect(b, service, token)).body, INACTIVE);
  });

  test('an AutoCom JWT revoked on B: A refuses it within 1 s', async () => {
    const { token } = await autocomLogin(a, 'my-store', 'john@mystore.com');
    const jwtService = {
      bearer: cliToken(a, 'svc@mystore.test', 'my-store', 'svc', ['--abilities', 'tokens:introspect']),
    };
    assert.equal((await introspectOk(a, jwtService, token)).active, true);
    assert.equal((await revoke(b, jwtService, token)).status, 200);
    const me = await within(1000, 401, async () =>
      (await call(a, 'GET', '/api/v1/auth/me', token, { tenant: 'my-store' })).status);
    assert.ok(me.ok, `A still answered ${me.last} after ${me.ms} ms`);
    assert.deepEqual(await introspectOk(a, jwtService, token), INACTIVE);
  });
});
