// Issue 17: `latchkey import laravel --from DATABASE_URL`. A Laravel app's
// database written by a script (Laravel's schema, bcrypt from python3-bcrypt,
// tokens made as Sanctum makes them) is imported into a running latchkey;
// then its users log in with their Laravel passwords (and are rehashed to
// argon2id), its tokens authenticate unchanged, a second import changes
// nothing, and every row it could not take is reported with its reason.
// The source is a SQLite file, and on PostgreSQL runs also a PostgreSQL
// database.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { login } from '../lib/fixtures.mjs';
import {
  api, BACKEND, cliJson, dbQuery, ISO_ANY_RE, sleep, startServer, tempDb, waitFor,
} from '../lib/server.mjs';
import { EXPECTED_SKIPS, laravelPg, laravelSqlite } from './lib.mjs';

const USER = '/api/v1/auth/user';

// The CLI runs synchronously for seconds (bcrypt at cost 12), with the event
// loop stopped: fetch's pooled keep-alive sockets miss their idle timeout and
// the server's close. Letting the timers run first retires them.
const settle = () => sleep(100);

// Everything an import could write, to compare before and after a run.
function snapshot(db) {
  return [
    dbQuery(db, 'SELECT id, email, name, password_hash, created_at, email_verified_at FROM users ORDER BY id'),
    dbQuery(db, 'SELECT id, user_id, tenant_id, name, token_hash, abilities, last_used_at, expires_at, created_at FROM tokens ORDER BY id'),
    dbQuery(db, 'SELECT user_id, tenant_id, role_id, status FROM memberships ORDER BY user_id, tenant_id'),
    dbQuery(db, 'SELECT user_id, laravel_id, password_hash FROM laravel_imports ORDER BY user_id'),
  ];
}

function hashOf(db, email) {
  return dbQuery(db, `SELECT password_hash FROM users WHERE email = '${email}'`);
}

function importSuite(sourceKind, makeSource) {
  describe(`import laravel from ${sourceKind} into ${BACKEND}`, () => {
    let server;
    let src;
    let frankToken;
    let first;
    const imp = (...extra) => server.cli('import', 'laravel', '--from', src.url,
      '--tenant', 'acme', '--role', 'agent', ...extra);

    before(async () => {
      server = await startServer();
      src = makeSource(server.dir);
      cliJson(server.cli, 'tenant', 'create', '--slug', 'acme', '--name', 'Acme Travel');
      // A latchkey user with one of the Laravel emails but another password,
      // and a latchkey token holding id 1, which a Laravel token has too.
      cliJson(server.cli, 'user', 'create', '--email', 'frank@example.com', '--name', 'Frank',
        '--password', 'frank-latchkey-pw', '--tenant', 'acme', '--role', 'agent');
      frankToken = cliJson(server.cli, 'token', 'create', '--user', 'frank@example.com',
        '--tenant', 'acme', '--name', 'frank');
      assert.equal(frankToken.id, 1);
    }, { timeout: 120000 });

    after(async () => {
      if (server) await server.stop();
    }, { timeout: 30000 });

    test('--dry-run reports the import and writes nothing', () => {
      const before = snapshot(server.db);
      const rep = okJson(imp('--dry-run', '--json'));
      assert.equal(rep.dry_run, true);
      assert.deepEqual(rep.users, { created: 3, unchanged: 0, skipped: 4 });
      assert.deepEqual(rep.tokens, { created: 4, unchanged: 0, skipped: 4 });
      assert.deepEqual(snapshot(server.db), before);
    });

    test('the import: counts and every skipped row with its reason', () => {
      first = okJson(imp('--json'));
      assert.equal(first.dry_run, false);
      assert.deepEqual(first.users, { created: 3, unchanged: 0, skipped: 4 });
      assert.deepEqual(first.tokens, { created: 4, unchanged: 0, skipped: 4 });
      assert.deepEqual(first.memberships, { created: 3, unchanged: 0, skipped: 0 });
      assert.deepEqual(first.teams, { created: 0, unchanged: 0, skipped: 0 }, 'no --teams');
      assert.deepEqual(first.skipped, EXPECTED_SKIPS);
      // The Laravel row's timestamps came along; the hash is bcrypt as it was.
      const alice = dbQuery(server.db,
        "SELECT created_at, email_verified_at, name FROM users WHERE email = 'alice@example.com'");
      assert.equal(alice, `${Date.UTC(2024, 0, 1) / 1000}|${Date.UTC(2024, 0, 2, 3, 4, 5) / 1000}|Alice Laravel`);
      assert.match(hashOf(server.db, 'alice@example.com'), /^\$2y\$12\$.{53}$/);
      // The latchkey user who had Frank's email is untouched.
      assert.match(hashOf(server.db, 'frank@example.com'), /^\$argon2id\$/);
    });

    test('the Laravel tokens authenticate as they are, with their data', async () => {
      await settle();
      const alice = await api(server, 'GET', USER, { token: src.known.tokens['alice-cli'] });
      assert.equal(alice.status, 200, alice.text);
      assert.equal(alice.body.email, 'alice@example.com');
      assert.equal(alice.body.name, 'Alice Laravel');
      // A token made before Sanctum 3.3 (no crc32b suffix) works too.
      const bob = await api(server, 'GET', USER, { token: src.known.tokens['bob-sanctum2'] });
      assert.equal(bob.status, 200, bob.text);
      assert.equal(bob.body.email, 'bob@example.com');
      // Expired in Laravel, expired here; a wrong secret with a real id fails.
      const expired = await api(server, 'GET', USER, { token: src.known.tokens['bob-expired'] });
      assert.equal(expired.status, 401);
      const [id] = src.known.tokens['alice-cli'].split('|');
      const forged = await api(server, 'GET', USER, { token: `${id}|${'x'.repeat(48)}` });
      assert.equal(forged.status, 401);
      // The skipped ones do not authenticate; the colliding id is still Frank's.
      for (const name of ['a team\'s', 'bad-abilities', 'carols', 'collides']) {
        const r = await api(server, 'GET', USER, { token: src.known.tokens[name] });
        assert.equal(r.status, 401, name);
      }
      const frank = await api(server, 'GET', USER, { token: frankToken.token });
      assert.equal(frank.status, 200);
      assert.equal(frank.body.email, 'frank@example.com');

      const list = okJson(server.cli('token', 'list', '--user', 'alice@example.com', '--json'));
      const byName = Object.fromEntries(list.map((t) => [t.name, t]));
      assert.equal(byName['alice-cli'].id, 101);
      assert.deepEqual(byName['alice-cli'].abilities, ['*']);
      assert.match(byName['alice-cli'].last_used_at, ISO_ANY_RE);
      assert.equal(byName['alice-scoped'].id, 102);
      assert.deepEqual(byName['alice-scoped'].abilities, ['orders:read', 'orders/write']);
      assert.equal(Date.parse(byName['alice-scoped'].expires_at), Date.UTC(2099, 0, 1));
      assert.equal(byName['alice-scoped'].last_used_at, null);
    });

    test('a Laravel password logs in, and the bcrypt hash becomes argon2id', async () => {
      await settle();
      const wrong = await login(server, 'bob@example.com', 'not-bobs-password');
      assert.equal(wrong.status, 422, wrong.text);
      assert.match(hashOf(server.db, 'bob@example.com'), /^\$2y\$/);
      const res = await login(server, 'bob@example.com', src.known.passwords['bob@example.com']);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user.email, 'bob@example.com');
      assert.match(hashOf(server.db, 'bob@example.com'), /^\$argon2id\$/);
      const again = await login(server, 'bob@example.com', src.known.passwords['bob@example.com']);
      assert.equal(again.status, 200, 'the new hash verifies the same password');
      // Tokens latchkey issues after the import get ids past the imported ones.
      const [id] = res.body.access_token.split('|');
      assert.ok(Number(id) > 107, `new token id ${id}`);
    });

    test('a second run changes nothing, also after a rehash', async () => {
      // The uses above reach last_used_at in the server's next batch
      // (LATCHKEY_LAST_USED_FLUSH_MS): wait for it, so only the import could
      // change the rows from here on.
      const used = await waitFor(() => dbQuery(server.db, 'SELECT COUNT(*) FROM tokens'
        + ` WHERE id IN (1, 101, 107) AND last_used_at > ${Date.UTC(2024, 2, 1, 12) / 1000}`) === '3',
      { timeoutMs: 15000 });
      assert.ok(used, 'the imported tokens\' last_used_at moved on with their use');
      const before = snapshot(server.db);
      const rep = okJson(imp('--json'));
      assert.deepEqual(rep.users, { created: 0, unchanged: 3, skipped: 4 });
      assert.deepEqual(rep.tokens, { created: 0, unchanged: 4, skipped: 4 });
      assert.deepEqual(rep.memberships, { created: 0, unchanged: 3, skipped: 0 });
      assert.deepEqual(rep.skipped, EXPECTED_SKIPS);
      assert.deepEqual(snapshot(server.db), before);
      const text = ok(imp()).stdout;
      // One audit record per import that wrote (the dry run wrote nothing).
      assert.equal(dbQuery(server.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'import.laravel'"), '3');
      assert.match(text, /^users: 0 created, 3 unchanged, 4 skipped$/m);
      assert.match(text, /^tokens: 0 created, 4 unchanged, 4 skipped$/m);
      assert.match(text, /^skipped users id=3: invalid email$/m);
    });
  });
}

importSuite('SQLite', (dir) => laravelSqlite(dir));
if (BACKEND === 'postgres') importSuite('PostgreSQL', () => laravelPg());

describe('import laravel: refusals', () => {
  let t;
  before(() => { t = tempDb(); });
  after(() => t && t.cleanup());

  test('usage errors', () => {
    fails(t.cli('import'), 2);
    fails(t.cli('import', 'laravel', '--from', 'x.db', '--teams', 'spark'), 2);
    fails(t.cli('import', 'laravel', '--from', 'x.db', '--team-roles', 'editor=agent'), 2);
    fails(t.cli('import', 'laravel', '--from', 'x.db', '--teams', 'jetstream',
      '--team-roles', 'editor'), 2);
    fails(t.cli('import', 'laravel'), 2);
    fails(t.cli('import', 'rails', '--from', 'x.db'), 2);
    fails(t.cli('import', 'laravel', '--from', 'x.db', '--tenant', 'acme'), 2);
    ok(t.cli('import', '--help'));
  });

  test('a missing source, tenant or role', () => {
    fails(t.cli('import', 'laravel', '--from', `${t.dir}/nothing.sqlite`), 1);
    const src = laravelSqlite(t.dir);
    fails(t.cli('import', 'laravel', '--from', src.url, '--tenant', 'nope', '--role', 'agent'), 1);
    cliJson(t.cli, 'tenant', 'create', '--slug', 'acme', '--name', 'Acme');
    fails(t.cli('import', 'laravel', '--from', src.url, '--tenant', 'acme', '--role', 'nope'), 1);
  });

  test('a database without Sanctum\'s table fails whole: no user is left behind', () => {
    const file = `${t.dir}/no-sanctum.sqlite`;
    dbQuery(file, 'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR, email VARCHAR,'
      + ' email_verified_at DATETIME, password VARCHAR, created_at DATETIME, updated_at DATETIME)');
    dbQuery(file, "INSERT INTO users VALUES (1, 'Zed', 'zed@example.com', NULL,"
      + " '$2y$04$abcdefghijklmnopqrstuu5k2lN2Q7SeAyM3tqZ7rJ0tZ4z7aFbyC', NULL, NULL)");
    const before = dbQuery(t.db, 'SELECT COUNT(*) FROM users');
    fails(t.cli('import', 'laravel', '--from', file), 1);
    assert.equal(dbQuery(t.db, 'SELECT COUNT(*) FROM users'), before);
    // The source's journal mode is not changed by reading it.
    assert.equal(dbQuery(file, 'PRAGMA journal_mode'), 'delete');
  });
});

describe('import laravel --teams jetstream', () => {
  let t;
  let src;
  const imp = (...extra) => okJson(t.cli('import', 'laravel', '--from', src.url,
    '--teams', 'jetstream', ...extra, '--json'));
  const members = () => dbQuery(t.db, 'SELECT u.email, te.slug, r.slug FROM memberships m'
    + ' JOIN users u ON u.id = m.user_id JOIN tenants te ON te.id = m.tenant_id'
    + ' JOIN roles r ON r.id = m.role_id ORDER BY te.slug, u.email').split('\n');

  before(() => {
    t = tempDb();
    src = laravelSqlite(t.dir);
  }, { timeout: 60000 });
  after(() => t && t.cleanup());

  test('each team a tenant, its owner the owner, team_user rows members', () => {
    const rep = imp();
    assert.deepEqual(rep.teams, { created: 3, unchanged: 0, skipped: 0 });
    assert.deepEqual(rep.memberships, { created: 4, unchanged: 0, skipped: 3 });
    assert.deepEqual(rep.skipped.filter((k) => k.table === 'team_user'), [
      { table: 'team_user', id: 2,
        reason: 'role editor is no role of the tenant (map it: --team-roles editor=ROLE)' },
      { table: 'team_user', id: 3, reason: 'its user (Laravel id 3) was not imported' },
      { table: 'team_user', id: 4, reason: 'its team (9) was not imported' },
    ]);
    const tenants = okJson(t.cli('tenant', 'list', '--json'));
    assert.deepEqual(tenants.map((x) => [x.slug, x.name]), [
      ['alice-s-team', "Alice's Team"],
      ['acme-sales', 'Acme Sales'],
      // The same slug again: the team's id makes it unique.
      ['acme-sales-3', 'Acme sales!'],
    ]);
    assert.deepEqual(members(), [
      'alice@example.com|acme-sales|admin',
      'bob@example.com|acme-sales|owner',
      'grace@example.com|acme-sales-3|owner',
      'alice@example.com|alice-s-team|owner',
    ]);
  });

  test('--team-roles maps a Jetstream role; the rest is unchanged', () => {
    const rep = imp('--team-roles', 'editor=agent');
    assert.deepEqual(rep.users, { created: 0, unchanged: 4, skipped: 3 });
    assert.deepEqual(rep.teams, { created: 0, unchanged: 3, skipped: 0 });
    assert.deepEqual(rep.memberships, { created: 1, unchanged: 4, skipped: 2 });
    assert.ok(members().includes('grace@example.com|acme-sales|user'), 'Agent (slug user)');
    const again = imp('--team-roles', 'editor=agent');
    assert.deepEqual(again.teams, { created: 0, unchanged: 3, skipped: 0 });
    assert.deepEqual(again.memberships, { created: 0, unchanged: 5, skipped: 2 });
  });
});
