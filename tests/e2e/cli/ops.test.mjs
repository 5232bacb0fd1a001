// latchkey tenant show | update | suspend | reactivate, token prune, migrate status,
// config show and the `key` alias (issue 18).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { BACKEND, dbQuery, tempDb } from '../lib/server.mjs';

describe('cli: tenant show, update, suspend, reactivate', () => {
  let t;
  before(() => {
    t = tempDb();
    okJson(t.cli('tenant', 'create', '--slug', 'acme', '--name', 'Acme', '--domain', 'acme.test', '--json'));
    okJson(t.cli('tenant', 'create', '--slug', 'beta', '--name', 'Beta', '--domain', 'beta.test', '--json'));
    okJson(t.cli('user', 'create', '--email', 'o@acme.test', '--name', 'O', '--password', 'pw-12345678',
      '--tenant', 'acme', '--role', 'owner', '--json'));
  });
  after(() => t && t.cleanup());

  test('show: the tenant and its member count', () => {
    const s = okJson(t.cli('tenant', 'show', 'acme', '--json'));
    assert.equal(s.slug, 'acme');
    assert.equal(s.name, 'Acme');
    assert.equal(s.domain, 'acme.test');
    assert.equal(s.status, 'active');
    assert.equal(s.member_count, 1);
    assert.match(ok(t.cli('tenant', 'show', 'beta')).stdout, /members:\s+0/);
    const r = fails(t.cli('tenant', 'show', 'nope'), 1);
    assert.match(r.stderr, /latchkey: no tenant with slug nope/);
    fails(t.cli('tenant', 'show'), 2);
  });

  test('update: only the options given', () => {
    const u = okJson(t.cli('tenant', 'update', 'acme', '--name', 'Acme Travel', '--currency', 'EUR',
      '--products', 'hotel,flight', '--json'));
    assert.equal(u.name, 'Acme Travel');
    assert.equal(u.default_currency, 'EUR');
    assert.deepEqual(u.enabled_products, ['hotel', 'flight']);
    assert.equal(u.domain, 'acme.test', 'unchanged');
    const s = okJson(t.cli('tenant', 'show', 'acme', '--json'));
    assert.equal(s.name, 'Acme Travel');
    assert.equal(s.default_currency, 'EUR');
    assert.equal(okJson(t.cli('tenant', 'update', 'acme', '--domain', '', '--json')).domain, null);
    assert.equal(okJson(t.cli('tenant', 'update', 'acme', '--domain', 'new.acme.test', '--json')).domain,
      'new.acme.test');
    assert.equal(dbQuery(t.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.update'"), '3');
  });

  test('update: refusals', () => {
    fails(t.cli('tenant', 'update', 'acme'), 2);
    fails(t.cli('tenant', 'update', 'acme', '--currency', 'euro'), 2);
    fails(t.cli('tenant', 'update', 'acme', '--name', ''), 2);
    fails(t.cli('tenant', 'update', 'acme', '--slug', 'other'), 2);
    fails(t.cli('tenant', 'update', 'acme', '--colour', 'red'), 2);
    fails(t.cli('tenant', 'update', 'nope', '--name', 'X'), 1);
    fails(t.cli('tenant', 'update', 'acme', '--domain', 'x'.repeat(256)), 2);
    assert.equal(okJson(t.cli('tenant', 'show', 'acme', '--json')).name, 'Acme Travel');
  });

  test('suspend and reactivate', () => {
    assert.equal(okJson(t.cli('tenant', 'suspend', 'acme', '--json')).status, 'suspended');
    assert.equal(okJson(t.cli('tenant', 'show', 'acme', '--json')).status, 'suspended');
    const list = okJson(t.cli('tenant', 'list', '--json'));
    assert.equal(list.find((x) => x.slug === 'acme').status, 'suspended');
    assert.equal(okJson(t.cli('tenant', 'reactivate', 'acme', '--json')).status, 'active');
    assert.equal(okJson(t.cli('tenant', 'show', 'acme', '--json')).status, 'active');
    assert.equal(dbQuery(t.db,
      "SELECT COUNT(*) FROM audit_log WHERE action IN ('tenant.suspend', 'tenant.reactivate')"), '2');
    fails(t.cli('tenant', 'suspend', 'nope'), 1);
    fails(t.cli('tenant', 'suspend'), 2);
  });
});

describe('cli: token prune', () => {
  let t;
  before(() => {
    t = tempDb();
    okJson(t.cli('tenant', 'create', '--slug', 'acme', '--name', 'Acme', '--json'));
    okJson(t.cli('user', 'create', '--email', 'dev@acme.test', '--name', 'Dev', '--password', 'pw-12345678',
      '--tenant', 'acme', '--role', 'admin', '--json'));
  });
  after(() => t && t.cleanup());

  const make = (name) => okJson(t.cli('token', 'create', '--user', 'dev@acme.test', '--tenant', 'acme',
    '--name', name, '--json')).id;
  const names = () => okJson(t.cli('token', 'list', '--user', 'dev@acme.test', '--json')).map((x) => x.name).sort();

  test('expired and revoked tokens go, past the cut-off (24 h, or --hours)', () => {
    const now = Math.floor(Date.now() / 1000);
    const ids = Object.fromEntries(['live', 'expiring', 'old-expired', 'old-revoked', 'new-expired', 'new-revoked']
      .map((n) => [n, make(n)]));
    dbQuery(t.db, `UPDATE tokens SET expires_at = ${now + 86400} WHERE id = ${ids.expiring}`);
    dbQuery(t.db, `UPDATE tokens SET expires_at = ${now - 2 * 86400} WHERE id = ${ids['old-expired']}`);
    dbQuery(t.db, `UPDATE tokens SET revoked_at = ${now - 2 * 86400} WHERE id = ${ids['old-revoked']}`);
    dbQuery(t.db, `UPDATE tokens SET expires_at = ${now - 3600} WHERE id = ${ids['new-expired']}`);
    dbQuery(t.db, `UPDATE tokens SET revoked_at = ${now - 3600} WHERE id = ${ids['new-revoked']}`);

    assert.deepEqual(okJson(t.cli('token', 'prune', '--json')), { deleted: 2, hours: 24 });
    assert.deepEqual(names(), ['expiring', 'live', 'new-expired', 'new-revoked']);
    assert.match(ok(t.cli('token', 'prune', '--hours', '0')).stdout, /deleted 2 expired or revoked token/);
    assert.deepEqual(names(), ['expiring', 'live']);
    assert.deepEqual(okJson(t.cli('token', 'prune', '--hours', '0', '--json')), { deleted: 0, hours: 0 });
  });

  test('more than one batch', () => {
    const now = Math.floor(Date.now() / 1000);
    dbQuery(t.db, 'INSERT INTO tokens (user_id, tenant_id, kind, name, token_hash, abilities, created_at, revoked_at) ' +
      `SELECT user_id, tenant_id, kind, 'bulk' || g, ${BACKEND === 'postgres' ? "md5('a' || g) || md5('b' || g)" :
        'lower(hex(randomblob(32)))'}, abilities, created_at, ${now - 2 * 86400} ` +
      `FROM tokens, (${BACKEND === 'postgres' ? 'SELECT generate_series(1, 2500) AS g' :
        'WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 2500) SELECT g FROM s'}) x ` +
      "WHERE tokens.name = 'live'");
    assert.deepEqual(okJson(t.cli('token', 'prune', '--json')), { deleted: 2500, hours: 24 });
    assert.deepEqual(names(), ['expiring', 'live']);
  });

  test('bad --hours exits 2', () => {
    for (const h of ['-1', 'x', '876001', '']) fails(t.cli('token', 'prune', '--hours', h), 2);
    fails(t.cli('token', 'prune', 'extra'), 2);
  });
});

describe('cli: migrate status', () => {
  test('applied and pending migrations; a newer database exits 1', () => {
    const t = tempDb();
    try {
      const s = okJson(t.cli('migrate', 'status', '--json'));
      assert.equal(s.backend, BACKEND);
      assert.equal(s.pending, 0);
      assert.equal(s.version, s.latest);
      assert.equal(s.migrations.at(-1).version, s.latest);
      assert.ok(s.migrations.every((m) => m.applied));
      assert.equal(s.migrations[0].name, BACKEND === 'postgres' ? '0001_init.pg.sql' : '0001_init.sqlite.sql');
      dbQuery(t.db, `DELETE FROM schema_migrations WHERE version = ${s.latest}`);
      const p = okJson(t.cli('migrate', 'status', '--json'));
      assert.equal(p.pending, 1);
      assert.equal(p.version, s.migrations.at(-2).version, 'the one before the latest');
      assert.equal(p.migrations.at(-1).applied, false);
      assert.match(ok(t.cli('migrate', 'status')).stdout, /pending\s+0*\d+_\S+\n.*1 pending/s);
      assert.equal(dbQuery(t.db, `SELECT COUNT(*) FROM schema_migrations WHERE version = ${s.latest}`), '0',
        'status applies nothing');
      dbQuery(t.db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)");
      fails(t.cli('migrate', 'status'), 1);
      fails(t.cli('migrate', 'sideways'), 2);
    } finally {
      t.cleanup();
    }
  });

  test('a database never migrated: all pending (PostgreSQL); no SQLite file: exit 1, none made', () => {
    const t = tempDb({}, { migrate: false });
    try {
      if (BACKEND === 'postgres') {
        const s = okJson(t.cli('migrate', 'status', '--json'));
        assert.equal(s.version, 0);
        assert.equal(s.pending, s.migrations.length);
      } else {
        fails(t.cli('migrate', 'status'), 1);
        assert.equal(fs.existsSync(t.db), false);
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('cli: config show', () => {
  const t = { env: {} };
  const show = (env) => {
    const db = tempDb(env, { migrate: false });
    try {
      return db.cli('config', 'show', '--json');
    } finally {
      db.cleanup();
    }
  };
  const byName = (list) => Object.fromEntries(list.map((v) => [v.name, v]));

  test('every variable with its value and source; secrets masked', () => {
    const list = okJson(show({
      LATCHKEY_DATABASE_URL: 'postgresql://app:db-Secret-1@db.internal:5432/latchkey',
      LATCHKEY_KEY_ENCRYPTION_KEY: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=',
      LATCHKEY_SMTP_URL: 'smtps://mailer:smtp-Secret-2@mail.example:465',
      LATCHKEY_MAIL_DRIVER: 'smtp',
      LATCHKEY_REDIS_URL: 'redis://:redis-Secret-3@127.0.0.1:6379/0',
      LATCHKEY_RATE_LOGIN: '7/60',
      LATCHKEY_JWT_TTL: '900',
    }));
    const v = byName(list);
    assert.deepEqual(list.map((x) => x.name), [...list.map((x) => x.name)].sort(), 'sorted by name');
    assert.ok(list.every((x) => x.name.startsWith('LATCHKEY_') && ['env', 'default'].includes(x.source)));
    assert.deepEqual(v.LATCHKEY_DATABASE_URL, { name: 'LATCHKEY_DATABASE_URL', source: 'env',
      value: 'postgresql://app:***@db.internal:5432/latchkey' });
    assert.equal(v.LATCHKEY_KEY_ENCRYPTION_KEY.value, '***');
    assert.equal(v.LATCHKEY_SMTP_URL.value, 'smtps://mailer:***@mail.example:465');
    assert.equal(v.LATCHKEY_REDIS_URL.value, 'redis://:***@127.0.0.1:6379/0');
    assert.deepEqual([v.LATCHKEY_RATE_LOGIN.value, v.LATCHKEY_RATE_LOGIN.source], ['7/60', 'env']);
    assert.deepEqual([v.LATCHKEY_JWT_TTL.value, v.LATCHKEY_JWT_TTL.source], ['900', 'env']);
    assert.deepEqual([v.LATCHKEY_RATE_ADMIN_PASSWORD.value, v.LATCHKEY_RATE_ADMIN_PASSWORD.source],
      ['6/60', 'default'], 'a bucket named ..._PASSWORD is no secret');
    assert.deepEqual([v.LATCHKEY_LISTEN.value, v.LATCHKEY_LISTEN.source], ['127.0.0.1:8080', 'default']);
    assert.deepEqual([v.LATCHKEY_MAIL_FROM.value, v.LATCHKEY_MAIL_FROM.source], ['latchkey@localhost', 'default']);
    assert.deepEqual([v.LATCHKEY_PASSWORD_BREACHED_CHECK.value, v.LATCHKEY_SESSION_IDLE_MINUTES.value],
      ['on', '120']);
    const text = JSON.stringify(list);
    for (const secret of ['db-Secret-1', 'c2VjcmV0', 'smtp-Secret-2', 'redis-Secret-3']) {
      assert.ok(!text.includes(secret), `${secret} is not shown`);
    }
  });

  test('an invalid value exits 1 naming the variable; bad usage exits 2', () => {
    const r = fails(show({ LATCHKEY_LISTEN: 'nowhere' }), 1);
    assert.match(r.stderr, /LATCHKEY_LISTEN/);
    const db = tempDb(t.env, { migrate: false });
    try {
      fails(db.cli('config'), 2);
      fails(db.cli('config', 'show', '--all'), 2);
      assert.match(ok(db.cli('config', 'show')).stdout, /^LATCHKEY_LISTEN\s+default\s+127\.0\.0\.1:8080$/m);
    } finally {
      db.cleanup();
    }
  });
});

describe('cli: key is keys', () => {
  test('key list and keys list agree', () => {
    const t = tempDb();
    try {
      ok(t.cli('key', 'rotate'));
      const a = okJson(t.cli('keys', 'list', '--json'));
      assert.equal(a.length, 1);
      assert.deepEqual(okJson(t.cli('key', 'list', '--json')), a);
      assert.match(ok(t.cli('key', '--help')).stdout, /latchkey keys list/);
      fails(t.cli('key', 'spin'), 2);
    } finally {
      t.cleanup();
    }
  });
});
