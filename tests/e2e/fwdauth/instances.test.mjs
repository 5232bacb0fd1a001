// Issue 17, forward-auth on several instances: a rule changed on one
// instance (admin API) or by the CLI is in force on the other within one
// second - the rules reload with the settings version both poll (one
// SQLite file in WAL mode, or PostgreSQL in the e2e-pg run).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, createStaff, STAFF_PASSWORD } from '../lib/admin.mjs';
import { cliToken, createTenant, createUser } from '../lib/fixtures.mjs';
import { addRule, verify } from '../lib/fwdauth.mjs';
import { startPair, within } from '../lib/scale.mjs';
import { api } from '../lib/server.mjs';

describe('fwdauth: two instances over one database', () => {
  let pair;
  let a;
  let b;
  let pat;
  let staff;

  before(async () => {
    pair = await startPair();
    ({ a, b } = pair);
    createTenant(a, 'acme', 'Acme', ['--product', 'autocom']);
    createUser(a, 'agent@acme.test', { tenant: 'acme', role: 'agent' });
    pat = cliToken(a, 'agent@acme.test', 'acme');
    createStaff(a, 'ops@admin.test', 'manager');
    staff = (await adminLoginOk(a, 'ops@admin.test', STAFF_PASSWORD)).token;
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  const statusOn = (server, uri) => async () => (await verify(server, 'GET', uri, { token: pat })).status;

  test('a rule added by the CLI is in force on both within 1 s', async () => {
    assert.equal(await statusOn(a, '/orders/1')(), 403);
    assert.equal(await statusOn(b, '/orders/1')(), 403);
    addRule(a, { method: 'GET', pattern: '/orders/{id}', ability: 'orders.view' });
    for (const s of [a, b]) {
      const r = await within(1000, 200, statusOn(s, '/orders/1'));
      assert.ok(r.ok, `in force within 1 s (${r.ms} ms, last ${r.last})`);
    }
  });

  test('a rule switched off through the admin API of A is refused by B within 1 s', async () => {
    const created = await api(a, 'POST', '/admin/rules', { token: staff,
      body: { pattern: '/reports/*' } });
    assert.equal(created.status, 201, created.text);
    const id = created.body.data.id;
    // A applies its own change before answering.
    assert.equal(await statusOn(a, '/reports/q1')(), 200);
    const on = await within(1000, 200, statusOn(b, '/reports/q1'));
    assert.ok(on.ok, `B: in force within 1 s (${on.ms} ms, last ${on.last})`);
    const off = await api(a, 'PATCH', `/admin/rules/${id}`, { token: staff, body: { enabled: false } });
    assert.equal(off.status, 200, off.text);
    assert.equal(await statusOn(a, '/reports/q1')(), 403);
    const r = await within(1000, 403, statusOn(b, '/reports/q1'));
    assert.ok(r.ok, `B: switched off within 1 s (${r.ms} ms, last ${r.last})`);
    assert.equal((await api(a, 'DELETE', `/admin/rules/${id}`, { token: staff })).status, 200);
    const gone = await within(1000, 'no_rule',
      async () => (await verify(b, 'GET', '/reports/q1', { token: pat })).body.reason);
    assert.ok(gone.ok, `B: deleted within 1 s (${gone.ms} ms, last ${gone.last})`);
  });
});
