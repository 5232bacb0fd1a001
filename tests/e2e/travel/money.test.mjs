// Seed 004: money in the profile is exact. vacation_pool_balance is
// rounded on its decimal value, half away from zero, to two decimals (as
// Laravel's decimal:2 cast and PHP's number_format print it), whether it
// is stored as a string or as a JSON number, at login and on /auth/user.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createTenant, createUser, loginOk } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';

const CASES = [
  ['"0.125"', '0.13'],
  ['0.125', '0.13'],
  ['"0.005"', '0.01'],
  ['0.015', '0.02'],
  ['"-0.125"', '-0.13'],
  ['"1.005"', '1.01'],
  ['"999999999999999.995"', '1000000000000000.00'],
  ['"150.00"', '150.00'],
  ['150', '150.00'],
  ['"12abc"', '0.00'],
];

describe('travel: exact money in the profile', () => {
  let server;

  before(async () => {
    server = await startServer();
    createTenant(server, 'safeway', 'Safeway Travel');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('vacation_pool_balance at login and on /auth/user', async () => {
    for (const [i, [stored, shown]] of CASES.entries()) {
      const email = `money${i}@example.com`;
      createUser(server, email, { password: 'money password', tenant: 'safeway',
        extra: ['--attributes', `{"vacation_pool_balance":${stored}}`] });
      const { token, user } = await loginOk(server, email, 'money password');
      assert.equal(user.vacation_pool_balance, shown, `login, stored ${stored}`);
      const me = await api(server, 'GET', '/api/v1/auth/user', { token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.vacation_pool_balance, shown, `/auth/user, stored ${stored}`);
    }
  });
});
