// Seed 002: POST /api/v1/auth/change-password - current password checked, new
// one min 8 and confirmed; on success every other token of the user (JWTs of
// every tenant, Sanctum tokens) is revoked and the one in use keeps working.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  INVALID, INVALID_CREDENTIALS, UNAUTHENTICATED, call, login, loginOk, registerOk,
} from '../lib/autocom.mjs';
import { api, cliJson, startServer } from '../lib/server.mjs';

const OLD = 'securepass123';
const NEW = 'brand-new-pass-9';
const PATH = '/api/v1/auth/change-password';

function change(server, token, body) {
  return call(server, 'POST', PATH, token, { body });
}

describe('autocom: POST /api/v1/auth/change-password', () => {
  let server;

  before(async () => {
    server = await startServer();
    await registerOk(server, 'my-store', 'john@mystore.com');
    await registerOk(server, 'second-store', 'sue@second.com');
    cliJson(server.cli, 'member', 'add', '--user', 'john@mystore.com', '--tenant', 'second-store',
      '--role', 'manager');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('422: every field required', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const res = await change(server, token, {});
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: INVALID,
      errors: {
        current_password: ['The current password field is required.'],
        password: ['The password field is required.'],
        password_confirmation: ['The password confirmation field is required.'],
      },
    });
  });

  test('422: new password too short, confirmation different', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const res = await change(server, token,
      { current_password: OLD, password: 'short', password_confirmation: 'other' });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body.errors, {
      password: ['The password field must be at least 8 characters.',
        'The password field confirmation does not match.'],
    });
  });

  test('422: wrong current password; nothing changes', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const other = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const res = await change(server, token,
      { current_password: 'not-my-password', password: NEW, password_confirmation: NEW });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: INVALID,
      errors: { current_password: ['The password is incorrect.'] },
    });
    assert.equal((await call(server, 'GET', '/api/v1/auth/me', other)).status, 200);
    await loginOk(server, 'my-store', 'john@mystore.com', OLD);
  });

  test('200: the password changes, other tokens die, this one lives', async () => {
    const current = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const sibling = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const otherTenant = (await loginOk(server, 'second-store', 'john@mystore.com')).token;
    const pat = cliJson(server.cli, 'token', 'create', '--user', 'john@mystore.com', '--tenant',
      'my-store', '--name', 'travel app').token;
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: pat })).status, 200);
    // Someone else's token is not touched.
    const sue = (await loginOk(server, 'second-store', 'sue@second.com')).token;

    const res = await change(server, current,
      { current_password: OLD, password: NEW, password_confirmation: NEW });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Password changed successfully' });

    assert.equal((await call(server, 'GET', '/api/v1/auth/me', current)).status, 200,
      'the token used for the change still works');
    for (const t of [sibling, otherTenant]) {
      const r = await call(server, 'GET', '/api/v1/auth/me', t);
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.body, UNAUTHENTICATED);
    }
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: pat })).status, 401,
      'Sanctum tokens of the user are revoked too');
    assert.equal((await call(server, 'GET', '/api/v1/auth/me', sue)).status, 200);

    const oldLogin = await login(server, 'my-store', 'john@mystore.com', OLD);
    assert.equal(oldLogin.status, 401);
    assert.deepEqual(oldLogin.body, INVALID_CREDENTIALS);
    await loginOk(server, 'my-store', 'john@mystore.com', NEW);
  });

  test('without a token: 401', async () => {
    const res = await change(server, undefined,
      { current_password: NEW, password: OLD, password_confirmation: OLD });
    assert.equal(res.status, 401);
  });
});
