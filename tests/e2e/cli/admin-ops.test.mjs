// latchkey user list | show | set-password | delete and member list | set-role | remove
// (issue 18): the admin API's operations at the command line, against a running server.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cliInput, fails, ok, okJson } from '../lib/cli.mjs';
import { createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import { api, dbQuery, startServer } from '../lib/server.mjs';

const PW = 'secret-password-1';
const NEW_PW = 'Brand-new-passw0rd';

describe('cli: user and member administration', () => {
  let s;
  before(async () => {
    s = await startServer();
    createTenant(s, 'acme');
    createTenant(s, 'beta');
    createUser(s, 'owner@acme.test', { tenant: 'acme', role: 'owner', name: 'Olive Owner' });
    createUser(s, 'agent@acme.test', { tenant: 'acme', role: 'agent', name: 'Andy Agent' });
    createUser(s, 'both@acme.test', { tenant: 'acme', role: 'agent', name: 'Bo Both' });
    okJson(s.cli('member', 'add', '--user', 'both@acme.test', '--tenant', 'beta', '--role', 'owner', '--json'));
    createUser(s, 'loner@example.test', { name: 'Lone Wolf' });
  });
  after(async () => s && s.stop());

  test('user list: every user, filters, paging', () => {
    // The server's bootstrap Owner (the admin API's) comes first.
    const all = okJson(s.cli('user', 'list', '--json'));
    assert.equal(all.total, 5);
    assert.equal(all.users[0].is_super_admin, true);
    assert.deepEqual(all.users.slice(1).map((u) => u.email),
      ['owner@acme.test', 'agent@acme.test', 'both@acme.test', 'loner@example.test']);
    for (const k of ['id', 'email', 'name', 'status', 'is_super_admin', 'created_at']) assert.ok(k in all.users[0], k);
    const beta = okJson(s.cli('user', 'list', '--tenant', 'beta', '--json'));
    assert.deepEqual(beta.users.map((u) => u.email), ['both@acme.test']);
    const found = okJson(s.cli('user', 'list', '--search', 'wolf', '--json'));
    assert.deepEqual(found.users.map((u) => u.email), ['loner@example.test']);
    const page = okJson(s.cli('user', 'list', '--limit', '2', '--offset', '2', '--json'));
    assert.equal(page.total, 5);
    assert.deepEqual(page.users.map((u) => u.email), ['agent@acme.test', 'both@acme.test']);
    const text = ok(s.cli('user', 'list', '--limit', '2')).stdout;
    assert.match(text, /owner@acme\.test/);
    assert.match(text, /2 of 5 shown/);
  });

  test('user list: bad options exit 2, unknown tenant exits 1', () => {
    fails(s.cli('user', 'list', '--limit', '0'), 2);
    fails(s.cli('user', 'list', '--limit', '1001'), 2);
    fails(s.cli('user', 'list', '--offset', '-1'), 2);
    fails(s.cli('user', 'list', '--status', 'sleeping'), 2);
    fails(s.cli('user', 'list', '--bogus'), 2);
    fails(s.cli('user', 'list', '--tenant', 'nope'), 1);
  });

  test('user show: memberships and staff role', () => {
    const u = okJson(s.cli('user', 'show', 'both@acme.test', '--json'));
    assert.equal(u.email, 'both@acme.test');
    assert.equal(u.name, 'Bo Both');
    assert.deepEqual(u.memberships.map((m) => [m.tenant, m.role, m.status]).sort(),
      [['acme', 'user', 'active'], ['beta', 'owner', 'active']]);
    assert.equal(u.staff_role, null);
    assert.match(ok(s.cli('user', 'show', 'BOTH@acme.test')).stdout, /beta\s+owner\s+active/);
    const r = fails(s.cli('user', 'show', 'ghost@acme.test'), 1);
    assert.match(r.stderr, /latchkey: no user with email ghost@acme\.test/);
    fails(s.cli('user', 'show'), 2);
  });

  test('user set-password: from stdin, policy, ends sessions and tokens', async () => {
    const { token } = await loginOk(s, 'agent@acme.test', PW);
    const r = okJson(cliInput(s, `${NEW_PW}\n`, 'user', 'set-password', 'agent@acme.test', '--password-stdin', '--json'));
    assert.deepEqual(r, { user: 'agent@acme.test', revoked_tokens: 1 });
    assert.equal((await api(s, 'GET', '/api/v1/auth/user', { token })).status, 401, 'the old token is revoked');
    assert.equal((await login(s, 'agent@acme.test', PW)).status, 422, 'the old password is refused');
    await loginOk(s, 'agent@acme.test', NEW_PW);
    assert.equal(dbQuery(s.env.LATCHKEY_DATABASE_URL,
      "SELECT COUNT(*) FROM audit_log WHERE action = 'password.change'"), '1');
  });

  test('user set-password: refusals', () => {
    const weak = fails(cliInput(s, 'short\n', 'user', 'set-password', 'agent@acme.test'), 2);
    assert.match(weak.stderr, /8 to 255 characters/);
    const mine = fails(cliInput(s, 'agent@acme.test\n', 'user', 'set-password', 'agent@acme.test'), 2);
    assert.match(mine.stderr, /must not be your email/);
    fails(cliInput(s, '', 'user', 'set-password', 'agent@acme.test'), 2);
    fails(cliInput(s, `${'x'.repeat(300)}\n`, 'user', 'set-password', 'agent@acme.test'), 2);
    fails(cliInput(s, `${NEW_PW}\n`, 'user', 'set-password', 'ghost@acme.test'), 1);
    // No --password option: a password on the command line would show in ps.
    fails(s.cli('user', 'set-password', 'agent@acme.test', '--password', NEW_PW), 2);
  });

  test('member list, set-role, remove', () => {
    const list = okJson(s.cli('member', 'list', '--tenant', 'acme', '--json'));
    assert.equal(list.total, 3);
    assert.deepEqual(list.members.map((m) => [m.email, m.role, m.status]),
      [['owner@acme.test', 'owner', 'active'], ['agent@acme.test', 'user', 'active'],
        ['both@acme.test', 'user', 'active']]);
    const m = okJson(s.cli('member', 'set-role', '--user', 'agent@acme.test', '--tenant', 'acme',
      '--role', 'Manager', '--json'));
    assert.equal(m.role, 'manager');
    assert.equal(m.tenant, 'acme');
    const last = fails(s.cli('member', 'set-role', '--user', 'owner@acme.test', '--tenant', 'acme',
      '--role', 'agent'), 1);
    assert.match(last.stderr, /no active owner/);
    fails(s.cli('member', 'remove', '--user', 'owner@acme.test', '--tenant', 'acme'), 1);
    fails(s.cli('member', 'set-role', '--user', 'agent@acme.test', '--tenant', 'acme', '--role', 'pilot'), 1);
    fails(s.cli('member', 'set-role', '--user', 'loner@example.test', '--tenant', 'acme', '--role', 'agent'), 1);
    fails(s.cli('member', 'set-role', '--user', 'agent@acme.test', '--tenant', 'acme'), 2);
    fails(s.cli('member', 'list'), 2);
    fails(s.cli('member', 'list', '--tenant', 'nope'), 1);
    okJson(s.cli('member', 'remove', '--user', 'both@acme.test', '--tenant', 'acme', '--json'));
    const after = okJson(s.cli('member', 'list', '--tenant', 'acme', '--json'));
    assert.deepEqual(after.members.map((x) => x.email), ['owner@acme.test', 'agent@acme.test']);
    fails(s.cli('member', 'remove', '--user', 'both@acme.test', '--tenant', 'acme'), 1);
  });

  test('user delete: asks, then removes the user with tokens and memberships', async () => {
    const { token } = await loginOk(s, 'owner@acme.test', PW);
    const refused = fails(cliInput(s, '', 'user', 'delete', 'owner@acme.test'), 2);
    assert.match(refused.stderr, /--yes/);
    okJson(s.cli('user', 'show', 'owner@acme.test', '--json'));
    const r = okJson(s.cli('user', 'delete', 'owner@acme.test', '--yes', '--json'));
    assert.equal(r.email, 'owner@acme.test');
    assert.equal(r.deleted, true);
    fails(s.cli('user', 'show', 'owner@acme.test'), 1);
    assert.equal((await api(s, 'GET', '/api/v1/auth/user', { token })).status, 401);
    const members = okJson(s.cli('member', 'list', '--tenant', 'acme', '--json'));
    assert.deepEqual(members.members.map((x) => x.email), ['agent@acme.test']);
    assert.equal(dbQuery(s.env.LATCHKEY_DATABASE_URL,
      "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.user.delete'"), '1');
    fails(s.cli('user', 'delete', 'owner@acme.test', '--yes'), 1);
  });
});
