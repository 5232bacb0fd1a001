// latchkey staff grant | revoke | list: platform staff roles (seed 001).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { tempDb } from '../lib/server.mjs';

describe('cli: staff', () => {
  let t;
  const mk = (email) => okJson(t.cli('user', 'create', '--email', email, '--name', 'Staff Person',
    '--password', 'pw-12345678', '--json'));

  before(() => {
    t = tempDb();
    ok(t.cli('migrate'));
    mk('ann@example.com');
    mk('ben@example.com');
  });
  after(() => t && t.cleanup());

  test('--help describes the subcommands and the roles', () => {
    const r = ok(t.cli('staff', '--help'));
    for (const w of ['grant', 'revoke', 'list', 'owner', 'manager', 'developer', 'support', 'marketing']) {
      assert.ok(r.stdout.includes(w), `help mentions ${w}`);
    }
    assert.ok(ok(t.cli('--help')).stdout.includes('staff'), 'latchkey --help lists staff');
  });

  test('grant --json, by slug or name, any case; grant again changes the role', () => {
    const g = okJson(t.cli('staff', 'grant', '--email', 'ANN@example.com', '--role', 'Support', '--json'));
    assert.equal(g.email, 'ann@example.com');
    assert.deepEqual(Object.keys(g.role), ['id', 'name', 'slug', 'permissions']);
    assert.equal(g.role.slug, 'support');
    assert.deepEqual(g.role.permissions, ['users:list', 'users:update', 'tenants:list', 'roles:list',
      'accounts:read']);
    const again = okJson(t.cli('staff', 'grant', '--email', 'ann@example.com', '--role', 'MANAGER', '--json'));
    assert.equal(again.role.name, 'Manager');
    const plain = ok(t.cli('staff', 'grant', '--email', 'ben@example.com', '--role', 'owner'));
    assert.match(plain.stdout, /ben@example.com is now staff: Owner/);
  });

  test('list shows each staff member with their role', () => {
    const list = okJson(t.cli('staff', 'list', '--json'));
    assert.deepEqual(list.map((s) => [s.email, s.role.slug]),
      [['ann@example.com', 'manager'], ['ben@example.com', 'owner']]);
    assert.match(ok(t.cli('staff', 'list')).stdout, /ann@example.com\s+Manager/);
  });

  test('errors: usage 2, runtime 1', () => {
    fails(t.cli('staff', 'grant', '--email', 'ann@example.com', '--role', 'janitor'), 2);
    fails(t.cli('staff', 'grant', '--email', 'ann@example.com'), 2);
    fails(t.cli('staff', 'grant', '--email', 'nobody@example.com', '--role', 'owner'), 1);
    fails(t.cli('staff', 'revoke'), 2);
    fails(t.cli('staff', 'frobnicate'), 2);
    fails(t.cli('staff', 'revoke', '--email', 'nobody@example.com'), 1);
  });

  test('the last Owner can be neither revoked nor demoted', () => {
    const r = fails(t.cli('staff', 'revoke', '--email', 'ben@example.com'), 1);
    assert.match(r.stderr, /last Owner/);
    fails(t.cli('staff', 'grant', '--email', 'ben@example.com', '--role', 'support'), 1);
    okJson(t.cli('staff', 'grant', '--email', 'ann@example.com', '--role', 'owner', '--json'));
    okJson(t.cli('staff', 'grant', '--email', 'ben@example.com', '--role', 'support', '--json'));
  });

  test('revoke --json; revoking twice fails', () => {
    const r = okJson(t.cli('staff', 'revoke', '--email', 'ben@example.com', '--json'));
    assert.equal(r.email, 'ben@example.com');
    assert.equal(r.role, null);
    const again = fails(t.cli('staff', 'revoke', '--email', 'ben@example.com'), 1);
    assert.match(again.stderr, /not staff/);
    assert.deepEqual(okJson(t.cli('staff', 'list', '--json')).map((s) => s.email), ['ann@example.com']);
  });
});
