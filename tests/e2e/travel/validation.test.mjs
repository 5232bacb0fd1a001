// Seed 004: POST /api/v1/auth/token validates its fields as Laravel's
// rules do (email: required|string|email|max:255, password:
// required|string, device_name: required|string|max:255), all rules of a
// field without bail, messages in the rules' order.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { BAD_CREDENTIALS, createSeedData } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';

const TOKEN = '/api/v1/auth/token';
const INVALID = 'The email field must be a valid email address.';
const EMAIL_MAX = 'The email field must not be greater than 255 characters.';

describe('travel: /auth/token field rules', () => {
  let server;
  let seed;

  before(async () => {
    server = await startServer();
    seed = createSeedData(server);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  const post = (body) => api(server, 'POST', TOKEN, { body, headers: { Accept: 'application/json' } });

  test('"john" is not an email address: 422 on email, not "credentials incorrect"', async () => {
    const res = await post({ email: 'john', password: seed.password, device_name: 'iOS 18' });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, { message: INVALID, errors: { email: [INVALID] } });
  });

  test('addresses Laravel\'s email rule refuses', async () => {
    for (const email of ['john@', '@example.com', 'john doe@example.com', 'john@@example.com',
      'a@b@c', '.john@example.com', 'john.@example.com', 'jo..hn@example.com',
      'john@example..com', 'john@.example.com', 'john@example.com.', 'john@-example.com',
      'john@example-.com', 'john(x)@example.com', 'john@exa mple.com', 'jöhn@example.com']) {
      const res = await post({ email, password: seed.password, device_name: 'x' });
      assert.equal(res.status, 422, `${email}: ${res.text}`);
      assert.deepEqual(res.body, { message: INVALID, errors: { email: [INVALID] } }, email);
    }
  });

  test('addresses it accepts reach the password check', async () => {
    for (const email of ['john@localhost', 'a@b', 'first.last+tag@sub.example.co.uk',
      "o'brien@example.com", 'x_y-z@ex-ample.com', '  john@example.com  ']) {
      const res = await post({ email, password: 'wrong password', device_name: 'x' });
      assert.equal(res.status, 422, `${email}: ${res.text}`);
      assert.deepEqual(res.body, BAD_CREDENTIALS, email);
    }
  });

  test('an invalid and too long address gets both messages, email first', async () => {
    const res = await post({ email: 'x'.repeat(300), password: seed.password, device_name: 'x' });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: `${INVALID} (and 1 more error)`,
      errors: { email: [INVALID, EMAIL_MAX] },
    });
  });

  test('a well-formed address over 255 characters gets only "max"', async () => {
    const email = `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(4)}com`;
    assert.ok(email.length > 255);
    const res = await post({ email, password: seed.password, device_name: 'x' });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, { message: EMAIL_MAX, errors: { email: [EMAIL_MAX] } });
  });

  test('every field wrong at once: each field\'s messages, in the fields\' order', async () => {
    const res = await post({ email: 42, password: null, device_name: 'd'.repeat(256) });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: 'The email field must be a string. (and 3 more errors)',
      errors: {
        email: ['The email field must be a string.', INVALID],
        password: ['The password field is required.'],
        device_name: ['The device name field must not be greater than 255 characters.'],
      },
    });
  });

  test('device_name of 255 characters is accepted', async () => {
    const res = await post({ email: 'john@example.com', password: seed.password,
      device_name: 'd'.repeat(255) });
    assert.equal(res.status, 200, res.text);
  });
});
