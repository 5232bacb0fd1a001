// Responses that carry a token or a secret are never stored by a cache:
// Cache-Control: no-store and Pragma: no-cache (RFC 6749 section 5.1), on
// every surface's token-issuing route.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_TEST_ENV, OWNER_EMAIL, adminLoginOk, startAdminServer } from '../lib/admin.mjs';
import { loginOk as autocomLoginOk, register, registration } from '../lib/autocom.mjs';
import { createTenant, createUser, login as travelLogin } from '../lib/fixtures.mjs';
import { api } from '../lib/server.mjs';

function assertNoStore(res, what) {
  assert.equal(res.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  assert.equal(res.headers.get('pragma'), 'no-cache', `${what}: Pragma`);
}

describe('server: Cache-Control: no-store on responses with a secret', () => {
  let server;
  let ownerPassword;

  before(async () => {
    ({ server, ownerPassword } = await startAdminServer(ADMIN_TEST_ENV));
    createTenant(server, 'ns-travel', 'NS Travel');
    createUser(server, 'ns@example.com', { password: 'ns-password-1', tenant: 'ns-travel' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('travel POST /api/v1/auth/token', async () => {
    const res = await travelLogin(server, 'ns@example.com', 'ns-password-1');
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.access_token);
    assertNoStore(res, 'token');
    // The profile carries no secret: cacheable as the client likes.
    const user = await api(server, 'GET', '/api/v1/auth/user', { token: res.body.access_token });
    assert.equal(user.status, 200);
    assert.equal(user.headers.get('pragma'), null);
  });

  test('AutoCom register and login', async () => {
    const reg = await register(server, registration('ns-auto', 'ns-auto@example.com'));
    assert.equal(reg.status, 201, reg.text);
    assert.ok(reg.body.access_token);
    assertNoStore(reg, 'register');
    const { res } = await autocomLoginOk(server, 'ns-auto', 'ns-auto@example.com');
    assertNoStore(res, 'login');
  });

  test('admin login and refresh', async () => {
    const { token, res } = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    assertNoStore(res, 'admin login');
    const refresh = await api(server, 'POST', '/admin/auth/refresh', { token });
    assert.equal(refresh.status, 200, refresh.text);
    assertNoStore(refresh, 'admin refresh');
  });

  test('the admin reset-password page (it holds the reset token)', async () => {
    const res = await api(server, 'GET', '/admin/reset-password?token=abc&email=a%40b.c');
    assert.equal(res.status, 200);
    assertNoStore(res, 'reset page');
  });
});
