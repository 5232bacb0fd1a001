// latchkey token create | list | revoke.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { ISO_ANY_RE, parseToken, sha256hex, tempDb } from '../lib/server.mjs';

const LIST_KEYS = ['id', 'name', 'tenant_id', 'kind', 'abilities', 'last_used_at', 'expires_at',
  'created_at', 'revoked_at'];

describe('cli: token', () => {
  let t;
  let tenant;
  const created = [];
  const create = (...extra) => {
    const j = okJson(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'acme',
      '--name', 'ci', ...extra, '--json'));
    created.push(j);
    return j;
  };

  before(() => {
    t = tempDb();
    ok(t.cli('migrate'));
    tenant = okJson(t.cli('tenant', 'create', '--slug', 'acme', '--name', 'Acme', '--json'));
    okJson(t.cli('tenant', 'create', '--slug', 'elsewhere', '--name', 'Elsewhere', '--json'));
    okJson(t.cli('user', 'create', '--email', 'dev@example.com', '--name', 'Dev',
      '--password', 'pw-12345678', '--tenant', 'acme', '--role', 'admin', '--json'));
    okJson(t.cli('user', 'create', '--email', 'other@example.com', '--name', 'Other',
      '--password', 'pw-12345678', '--tenant', 'acme', '--role', 'agent', '--json'));
  });
  after(() => t && t.cleanup());

  test('token create --json: Sanctum 4 plaintext, defaults', () => {
    const j = create();
    for (const k of ['id', 'token', 'name', 'abilities', 'tenant_id', 'expires_at']) {
      assert.ok(k in j, `has ${k}`);
    }
    const p = parseToken(j.token);
    assert.ok(p, `token ${JSON.stringify(j.token)} is "<id>|<40 alnum><8 hex>"`);
    assert.ok(p.crcOk, 'crc32b of the 40 random chars');
    assert.equal(p.id, String(j.id));
    assert.equal(j.name, 'ci');
    assert.deepEqual(j.abilities, ['*']);
    assert.equal(j.tenant_id, tenant.id);
    assert.equal(j.expires_at, null);
  });

  test('token create without --json prints the plaintext once', () => {
    const r = ok(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'acme',
      '--name', 'plain'));
    const m = /(\d+\|[A-Za-z0-9]{48})/.exec(r.stdout);
    assert.ok(m, `stdout holds a token: ${r.stdout}`);
    assert.ok(parseToken(m[1]).crcOk);
    assert.equal(r.stdout.split(m[1]).length - 1, 1, 'printed exactly once');
  });

  test('--abilities and --expires-in', () => {
    assert.deepEqual(create('--abilities', 'orders.view,leads.create').abilities,
      ['orders.view', 'leads.create']);
    const units = { '45s': 45, '15m': 900, '12h': 43200, '30d': 2592000, '2w': 1209600 };
    for (const [arg, secs] of Object.entries(units)) {
      const before = Date.now();
      const j = create('--expires-in', arg);
      assert.match(j.expires_at, ISO_ANY_RE, `--expires-in ${arg}`);
      const got = Date.parse(j.expires_at);
      assert.ok(got >= before + secs * 1000 - 2000 && got <= Date.now() + secs * 1000 + 2000,
        `--expires-in ${arg}: expires_at ${j.expires_at}`);
    }
  });

  test('--abilities keeps the spaces inside an ability (the WedoCOD scopes)', () => {
    assert.deepEqual(create('--abilities', 'VIEW LEADS,CREATE LEADS').abilities,
      ['VIEW LEADS', 'CREATE LEADS']);
    assert.deepEqual(create('--abilities', ' VIEW LEADS , CREATE ORDERS ').abilities,
      ['VIEW LEADS', 'CREATE ORDERS'], 'spaces around a comma are dropped');
  });

  test('without --tenant: a token that names no tenant (platform staff)', () => {
    okJson(t.cli('user', 'create', '--email', 'staff@example.com', '--name', 'Staff',
      '--password', 'pw-12345678', '--json'));
    const j = okJson(t.cli('token', 'create', '--user', 'staff@example.com', '--name', 'staff',
      '--abilities', 'VIEW LEADS', '--json'));
    assert.equal(j.tenant_id, 0);
    assert.deepEqual(j.abilities, ['VIEW LEADS']);
    assert.ok(parseToken(j.token).crcOk);
  });

  test('usage and runtime errors', () => {
    fails(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'acme', '--name', 'x',
      '--expires-in', '3x'), 2, 'bad --expires-in');
    fails(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'acme'), 2, 'no --name');
    fails(t.cli('token', 'create', '--tenant', 'acme', '--name', 'x'), 2, 'no --user');
    fails(t.cli('token', 'create', '--user', 'ghost@example.com', '--tenant', 'acme', '--name', 'x'),
      1, 'unknown user');
    fails(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'nope', '--name', 'x'),
      1, 'unknown tenant');
    fails(t.cli('token', 'create', '--user', 'dev@example.com', '--tenant', 'elsewhere', '--name', 'x'),
      1, 'not a member of the tenant');
  });

  test('token list --json: metadata only, never the secret or its hash', () => {
    const list = okJson(t.cli('token', 'list', '--user', 'dev@example.com', '--json'));
    assert.ok(Array.isArray(list));
    assert.ok(list.length >= created.length);
    for (const row of list) {
      for (const k of LIST_KEYS) assert.ok(k in row, `token list rows have ${k}`);
      for (const k of Object.keys(row)) {
        assert.ok(!/token|hash|secret/i.test(k), `token list rows carry no ${k}`);
      }
      assert.equal(row.kind, 'pat');
      assert.ok(Array.isArray(row.abilities));
      assert.match(row.created_at, ISO_ANY_RE);
      for (const k of ['last_used_at', 'expires_at', 'revoked_at']) {
        assert.ok(row[k] === null || ISO_ANY_RE.test(row[k]), `${k}: ${row[k]}`);
      }
    }
    const text = JSON.stringify(list);
    for (const c of created) {
      const p = parseToken(c.token);
      assert.ok(list.some((r) => r.id === c.id), `token ${c.id} listed`);
      assert.ok(!text.includes(p.random), 'no secret');
      assert.ok(!text.includes(sha256hex(p.secret)), 'no hash');
    }
    const other = okJson(t.cli('token', 'list', '--user', 'other@example.com', '--json'));
    assert.deepEqual(other, [], "another user's list is empty");
    ok(t.cli('token', 'list', '--user', 'dev@example.com'));
  });

  test('token revoke', () => {
    const j = create();
    okJson(t.cli('token', 'revoke', String(j.id), '--json'));
    const row = okJson(t.cli('token', 'list', '--user', 'dev@example.com', '--json'))
      .find((r) => r.id === j.id);
    assert.match(row.revoked_at, ISO_ANY_RE);
    const k = create();
    ok(t.cli('token', 'revoke', String(k.id)));
    fails(t.cli('token', 'revoke', '987654321'), 1, 'unknown id');
  });
});
