// latchkey user create | set-status, member add | set-status.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { tempDb } from '../lib/server.mjs';

describe('cli: user and member', () => {
  let t;
  let tenant;
  const role = (slug) => tenant.roles.find((r) => r.slug === slug);
  const mk = (email, ...extra) => t.cli('user', 'create', '--email', email, '--name', 'Some One',
    '--password', 'pw-12345678', ...extra, '--json');

  before(() => {
    t = tempDb();
    ok(t.cli('migrate'));
    tenant = okJson(t.cli('tenant', 'create', '--slug', 'safeway', '--name', 'Safeway Travel', '--json'));
    okJson(t.cli('tenant', 'create', '--slug', 'second', '--name', 'Second', '--json'));
  });
  after(() => t && t.cleanup());

  test('user create with a tenant and role --json', () => {
    const u = okJson(t.cli('user', 'create', '--email', 'john@example.com', '--name', 'John Agent',
      '--password', 'pw-12345678', '--tenant', 'safeway', '--role', 'agent',
      '--phone', '+1-555-100-2000', '--avatar', 'https://cdn.example/j.png',
      '--attributes', '{"vacation_pool_balance":"150.00","hotel_card_redeems_left":2}',
      '--preferences', '{"language":"en"}', '--verified', '--json'));
    for (const k of ['id', 'email', 'name', 'status', 'tenant', 'role']) assert.ok(k in u, `has ${k}`);
    assert.ok(Number.isInteger(u.id));
    assert.equal(u.email, 'john@example.com');
    assert.equal(u.name, 'John Agent');
    assert.equal(u.status, 'active');
    assert.equal(u.tenant, 'safeway');
    assert.deepEqual(u.role, { id: role('user').id, name: 'Agent', slug: 'user' });
  });

  test('--role matches slug or name, case-insensitively', () => {
    const cases = [['Agent', 'user'], ['agent', 'user'], ['user', 'user'], ['AGENT', 'user'],
      ['Manager', 'manager'], ['OWNER', 'owner'], ['admin', 'admin']];
    cases.forEach(([arg, slug], i) => {
      const u = okJson(mk(`role${i}@example.com`, '--tenant', 'safeway', '--role', arg));
      assert.equal(u.role.slug, slug, `--role ${arg}`);
      assert.equal(u.role.id, role(slug).id);
    });
  });

  test('without --tenant: no membership', () => {
    const u = okJson(mk('staff@example.com'));
    assert.equal(u.tenant, null);
    assert.equal(u.role, null);
  });

  test('email is stored lower-cased; duplicates (any case) exit 1', () => {
    const u = okJson(mk('Mixed.Case@Example.COM'));
    assert.equal(u.email, 'mixed.case@example.com');
    fails(mk('mixed.case@example.com'), 1);
    fails(mk('MIXED.CASE@EXAMPLE.COM'), 1);
  });

  test('--status and --password-hash', () => {
    assert.equal(okJson(mk('inact@example.com', '--status', 'inactive')).status, 'inactive');
    assert.equal(okJson(mk('susp@example.com', '--status', 'suspended')).status, 'suspended');
    const h = okJson(t.cli('user', 'create', '--email', 'bcrypt@example.com', '--name', 'B',
      '--password-hash', '$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi', '--json'));
    assert.equal(h.email, 'bcrypt@example.com');
  });

  test('usage errors: exit 2', () => {
    fails(mk('a1@example.com', '--tenant', 'safeway'), 2, '--tenant without --role');
    fails(t.cli('user', 'create', '--email', 'a2@example.com', '--name', 'No Password'), 2,
      'neither --password nor --password-hash');
    fails(mk('a3@example.com', '--status', 'bogus'), 2, 'bad --status');
    fails(mk('a4@example.com', '--preferences', 'not json'), 2, 'bad --preferences');
    fails(mk('a5@example.com', '--attributes', '[1,2]'), 2, '--attributes not an object');
  });

  test('unknown tenant or role: exit 1', () => {
    fails(mk('b1@example.com', '--tenant', 'nope', '--role', 'agent'), 1);
    fails(mk('b2@example.com', '--tenant', 'safeway', '--role', 'pilot'), 1);
    // Nothing was created by the failed calls.
    ok(mk('b1@example.com'));
  });

  test('member add: a second tenant for an existing user', () => {
    okJson(mk('multi@example.com', '--tenant', 'safeway', '--role', 'agent'));
    const m = okJson(t.cli('member', 'add', '--user', 'multi@example.com', '--tenant', 'second',
      '--role', 'Manager', '--json'));
    assert.equal(typeof m, 'object');
    fails(t.cli('member', 'add', '--user', 'multi@example.com', '--tenant', 'second',
      '--role', 'agent'), 1, 'already a member');
    fails(t.cli('member', 'add', '--user', 'ghost@example.com', '--tenant', 'second',
      '--role', 'agent'), 1, 'unknown user');
    fails(t.cli('member', 'add', '--user', 'multi@example.com', '--tenant', 'nope',
      '--role', 'agent'), 1, 'unknown tenant');
    fails(t.cli('member', 'add', '--user', 'multi@example.com', '--tenant', 'second'), 2,
      'missing --role');
  });

  test('member set-status', () => {
    okJson(t.cli('member', 'set-status', '--user', 'multi@example.com', '--tenant', 'second',
      '--status', 'suspended', '--json'));
    okJson(t.cli('member', 'set-status', '--user', 'multi@example.com', '--tenant', 'second',
      '--status', 'active', '--json'));
    fails(t.cli('member', 'set-status', '--user', 'multi@example.com', '--tenant', 'second',
      '--status', 'inactive'), 2, 'memberships are active or suspended');
    fails(t.cli('member', 'set-status', '--user', 'staff@example.com', '--tenant', 'second',
      '--status', 'suspended'), 1, 'not a member');
  });

  test('user set-status', () => {
    for (const s of ['suspended', 'inactive', 'active']) {
      okJson(t.cli('user', 'set-status', '--email', 'john@example.com', '--status', s, '--json'));
    }
    ok(t.cli('user', 'set-status', '--email', 'john@example.com', '--status', 'active'));
    fails(t.cli('user', 'set-status', '--email', 'ghost@example.com', '--status', 'active'), 1);
    fails(t.cli('user', 'set-status', '--email', 'john@example.com', '--status', 'bogus'), 2);
  });
});
