// Seed 002: POST /api/v1/tenants - register a tenant with its owner.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ACCOUNT_SUSPENDED, INVALID, SEED_REGISTER, SEED_REGISTER_RESPONSE, call, kidOf, loginOk,
  register, registerOk, registration, verifyWithJose,
} from '../lib/autocom.mjs';
import { assertSameShape } from '../lib/fixtures.mjs';
import { cliJson, startServer } from '../lib/server.mjs';

describe('autocom: POST /api/v1/tenants', () => {
  let server;

  before(async () => {
    server = await startServer();
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('the seed example: 201, same keys and types, a JWT that jose verifies', async () => {
    const res = await register(server, SEED_REGISTER);
    assert.equal(res.status, 201, res.text);
    assertSameShape(res.body, SEED_REGISTER_RESPONSE, 'register');
    assert.equal(res.body.message, 'Tenant registered successfully');
    assert.deepEqual(res.body.tenant, { id: 'my-store', name: 'My Store', domain: 'my-store' });
    assert.equal(res.body.user.name, 'John Doe');
    assert.equal(res.body.user.email, 'john@mystore.com');
    assert.equal(res.body.user.role, 'owner');
    assert.equal(res.body.token_type, 'Bearer');
    assert.match(res.body.access_token, /^eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIs/,
      'header starts {"typ":"JWT","alg":"RS256",');

    const { payload, protectedHeader } = await verifyWithJose(server, res.body.access_token);
    assert.deepEqual(Object.keys(protectedHeader), ['typ', 'alg', 'kid']);
    assert.equal(payload.sub, String(res.body.user.id));
    assert.equal(payload.tid, 'my-store');

    // The owner is a real user of the tenant: the CLI sees both.
    const tenants = cliJson(server.cli, 'tenant', 'list');
    assert.ok(tenants.some((t) => t.slug === 'my-store' && t.name === 'My Store'));
    const roles = cliJson(server.cli, 'role', 'list', '--tenant', 'my-store');
    assert.deepEqual(roles.map((r) => r.slug), ['owner', 'admin', 'manager', 'agent']);

    // The token works at once, and the password logs in.
    const me = await call(server, 'GET', '/api/v1/auth/me', res.body.access_token,
      { tenant: 'my-store' });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.id, res.body.user.id);
    await loginOk(server, 'my-store', 'john@mystore.com');
  });

  test('missing fields: 422, every field required, seed wording', async () => {
    const res = await register(server, {});
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: INVALID,
      errors: {
        company_name: ['The company name field is required.'],
        domain: ['The domain field is required.'],
        admin_name: ['The admin name field is required.'],
        admin_email: ['The admin email field is required.'],
        admin_password: ['The admin password field is required.'],
        admin_password_confirmation: ['The admin password confirmation field is required.'],
      },
    });
  });

  test('domain: letters, digits and dashes only; upper case is folded', async () => {
    for (const domain of ['my store', 'my_store', '-store', 'stõre', 'a.b', 'x'.repeat(64)]) {
      const res = await register(server, registration(domain, `${Math.random()}@ex.com`));
      assert.equal(res.status, 422, `${domain}: ${res.text}`);
      assert.equal(res.body.message, INVALID);
      assert.deepEqual(Object.keys(res.body.errors), ['domain'], domain);
    }
    const long = await register(server, registration('y'.repeat(64), 'long@ex.com'));
    assert.deepEqual(long.body.errors.domain,
      ['The domain field must not be greater than 63 characters.']);
    const bad = await register(server, registration('my_store', 'fmt@ex.com'));
    assert.deepEqual(bad.body.errors.domain, ['The domain field format is invalid.']);
    const body = await registerOk(server, 'Mixed-Case-42', 'mixed@example.com');
    assert.equal(body.tenant.id, 'mixed-case-42');
  });

  test('domain taken: 422 on domain', async () => {
    await registerOk(server, 'taken', 'first@example.com');
    const res = await register(server, registration('taken', 'second@example.com'));
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, {
      message: INVALID,
      errors: { domain: ['The domain has already been taken.'] },
    });
  });

  test('email, password length and confirmation', async () => {
    const res = await register(server, registration('pw-rules', 'not-an-email', {
      admin_password: 'short', admin_password_confirmation: 'different',
    }));
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body.errors, {
      admin_email: ['The admin email field must be a valid email address.'],
      admin_password: ['The admin password field must be at least 8 characters.',
        'The admin password field confirmation does not match.'],
    });
    const mismatch = await register(server, registration('pw-rules', 'ok@example.com', {
      admin_password_confirmation: 'securepass124',
    }));
    assert.deepEqual(mismatch.body.errors,
      { admin_password: ['The admin password field confirmation does not match.'] });
    const wrongType = await register(server, registration('pw-rules', 'ok@example.com',
      { company_name: 42 }));
    assert.deepEqual(wrongType.body.errors,
      { company_name: ['The company name field must be a string.'] });
  });

  test('an email that has an account: attached only with its password', async () => {
    const first = await registerOk(server, 'shop-one', 'owner@example.com');
    const wrong = await register(server, registration('shop-two', 'Owner@Example.com',
      { admin_password: 'another-pass-1', admin_password_confirmation: 'another-pass-1' }));
    assert.equal(wrong.status, 422, wrong.text);
    assert.deepEqual(wrong.body, {
      message: INVALID,
      errors: { admin_email: ['The admin email has already been taken.'] },
    });
    assert.ok(!cliJson(server.cli, 'tenant', 'list').some((t) => t.slug === 'shop-two'),
      'nothing was created');

    const second = await registerOk(server, 'shop-two', 'owner@example.com',
      { admin_name: 'Ignored Name' });
    assert.equal(second.user.id, first.user.id, 'the same account');
    assert.equal(second.user.name, 'John Doe', 'the account keeps its name');
    assert.equal(second.user.role, 'owner');
    const me = await call(server, 'GET', '/api/v1/auth/tenants', second.access_token);
    assert.deepEqual(me.body.tenants.map((t) => [t.id, t.role]),
      [['shop-one', 'owner'], ['shop-two', 'owner']]);
  });

  test('a suspended account with its password: 403, nothing created', async () => {
    await registerOk(server, 'sus-one', 'sus@example.com');
    cliJson(server.cli, 'user', 'set-status', '--email', 'sus@example.com', '--status', 'suspended');
    const res = await register(server, registration('sus-two', 'sus@example.com'));
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, ACCOUNT_SUSPENDED);
    assert.ok(!cliJson(server.cli, 'tenant', 'list').some((t) => t.slug === 'sus-two'));
  });

  test('each registration signs with the current key', async () => {
    const a = await registerOk(server, 'kid-a', 'kida@example.com');
    const b = await registerOk(server, 'kid-b', 'kidb@example.com');
    assert.equal(kidOf(a.access_token), kidOf(b.access_token));
  });

  test('malformed JSON: no input, so the 422 of an empty body (Laravel)', async () => {
    const res = await register(server, '{"company_name":');
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, 'The given data was invalid');
    assert.deepEqual(res.body.errors.company_name, ['The company name field is required.']);
  });
});
