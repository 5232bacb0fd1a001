// A body that is not a JSON object, on every surface: Laravel's
// Request::json() reads an undecodable body as no input at all, so the route
// answers as for an empty body - its own 422 in its own dialect - after its
// throttle has counted the request (X-RateLimit-* headers). Routes without
// required fields simply proceed. The size limit (413) still applies.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_TEST_ENV, OWNER_EMAIL } from '../lib/admin.mjs';
import { loginOk, registerOk } from '../lib/autocom.mjs';
import { api, rawRequest, startServer } from '../lib/server.mjs';

// Bodies PHP's json_decode cannot turn into an array of fields: malformed,
// a scalar or a list at the top, nested deeper than our limit (32), and
// duplicate keys (which we refuse to guess at).
const UNPARSEABLE = [
  '{"email":',
  '{email: "a"}',
  'nul',
  '{"a":1}}',
  '[1,2]',
  '"x"',
  '42',
  `{"email":${'['.repeat(40)}1${']'.repeat(40)}}`,
  '{"email":"a@b.c","email":"d@e.f"}',
];

const remaining = (res) => Number(res.headers.get('x-ratelimit-remaining'));

// Sends every unparseable body and checks each answer equals the answer to
// {} (status and body), carries the throttle's headers and was counted.
async function assertReadAsEmpty(server, path, headers = {}, token) {
  const empty = await api(server, 'POST', path, { body: {}, headers, token });
  assert.equal(empty.status, 422, `${path} with {}: ${empty.text}`);
  let last = remaining(empty);
  for (const body of UNPARSEABLE) {
    const res = await api(server, 'POST', path, { body, headers, token });
    assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}: ${res.text}`);
    assert.deepEqual(res.body, empty.body, `${path} ${JSON.stringify(body)}`);
    assert.ok(res.headers.get('x-ratelimit-limit'), `${path}: X-RateLimit-Limit`);
    assert.ok(res.headers.get('x-ratelimit-reset'), `${path}: X-RateLimit-Reset`);
    assert.equal(remaining(res), last - 1, `${path} ${JSON.stringify(body)}: counted`);
    last = remaining(res);
  }
}

describe('server: unparseable JSON bodies are no input (Laravel)', () => {
  let server;
  let owner;

  before(async () => {
    server = await startServer({ LATCHKEY_ADMIN_EMAIL: OWNER_EMAIL, ...ADMIN_TEST_ENV });
    await registerOk(server, 'mj-co', 'mj-owner@example.com');
    owner = await loginOk(server, 'mj-co', 'mj-owner@example.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('travel POST /api/v1/auth/token: 422 with the three required fields, counted', async () => {
    const res = await api(server, 'POST', '/api/v1/auth/token', { body: '{"email":' });
    assert.deepEqual(res.body, {
      message: 'The email field is required. (and 2 more errors)',
      errors: {
        email: ['The email field is required.'],
        password: ['The password field is required.'],
        device_name: ['The device name field is required.'],
      },
    });
    await assertReadAsEmpty(server, '/api/v1/auth/token');
  });

  test('AutoCom login and register: the seed 422 body, counted', async () => {
    const res = await api(server, 'POST', '/api/v1/auth/login',
      { body: '[1,2]', headers: { 'X-Tenant': 'mj-co' } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, 'The given data was invalid');
    assert.deepEqual(Object.keys(res.body.errors).sort(), ['email', 'password']);
    await assertReadAsEmpty(server, '/api/v1/auth/login', { 'X-Tenant': 'mj-co' });
    await assertReadAsEmpty(server, '/api/v1/tenants');
  });

  test('admin POST /admin/auth/login: 422 in the success:false envelope, counted', async () => {
    const res = await api(server, 'POST', '/admin/auth/login', { body: '"x"' });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.success, false);
    assert.deepEqual(Object.keys(res.body.errors).sort(), ['email', 'password']);
    await assertReadAsEmpty(server, '/admin/auth/login');
  });

  test('a team route (POST /api/v1/team/invite): 422, counted for the user', async () => {
    await assertReadAsEmpty(server, '/api/v1/team/invite', { 'X-Tenant': 'mj-co' }, owner.token);
  });

  test('a route without required fields proceeds (AutoCom logout)', async () => {
    const { token } = await loginOk(server, 'mj-co', 'mj-owner@example.com');
    const res = await api(server, 'POST', '/api/v1/auth/logout', { body: '{oops', token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Successfully logged out' });
    assert.ok(res.headers.get('x-ratelimit-limit'));
  });

  test('the body size limit still applies: 413', async () => {
    const big = `{"email":"${'x'.repeat(70000)}`;
    const res = await rawRequest(server, 'POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Content-Type: application/json\r\nContent-Length: ${big.length}\r\n` +
      `Connection: close\r\n\r\n${big}`);
    assert.equal(res.status, 413, res.raw.slice(0, 300));
  });
});
