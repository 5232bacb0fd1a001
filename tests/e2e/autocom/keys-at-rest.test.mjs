// JWT private keys encrypted at rest (issue 16): the key encryption key
// (LATCHKEY_KEY_ENCRYPTION_KEY, or a key file created 0600 beside the
// SQLite file on first start), keys stored before sealed at the next start,
// `latchkey keys rewrap` to a new key, and a clear start-up error, never a
// crash, for a wrong, missing or malformed key.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { call, kidOf, loginOk, registerOk } from '../lib/autocom.mjs';
import { okJson } from '../lib/cli.mjs';
import { dbQuery, runCli, startServer, withServer } from '../lib/server.mjs';

const ME = '/api/v1/auth/me';
const SEALED = /^sealed:v1:[A-Za-z0-9+/]+=*$/;

// Runs `latchkey serve` on the data in dir with env, expecting it to refuse
// to start: returns {status, signal, stderr}.
function serveFails(server, env) {
  const r = runCli({ ...server.env, LATCHKEY_LISTEN: '127.0.0.1:0', ...env }, 'serve');
  assert.notEqual(r.status, 0, `serve started: ${r.stderr}`);
  assert.equal(r.signal, null, 'an exit, not a crash');
  return r;
}

describe('autocom: signing keys at rest', () => {
  test('zero set-up: a key file 0600 beside the database, every private key sealed', async () => {
    await withServer({}, async (server) => {
      const file = path.join(path.dirname(server.db.replace(/^sqlite:/, '')), 'key-encryption.key');
      if (!/^postgres/.test(server.db)) {
        const st = fs.statSync(file);
        assert.equal(st.mode & 0o777, 0o600);
        assert.equal(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').length, 32);
      }
      const texts = dbQuery(server.db, 'SELECT private_pem FROM signing_keys');
      assert.match(texts, SEALED);
      assert.ok(!texts.includes('PRIVATE KEY'), 'no clear key in the database');
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      assert.equal((await call(server, 'GET', ME, token, { tenant: 'my-store' })).status, 200);
      // A rotated key is sealed too.
      okJson(server.cli('keys', 'rotate', '--json'));
      for (const t of dbQuery(server.db, 'SELECT private_pem FROM signing_keys').split('\n')) {
        assert.match(t, SEALED);
      }
    });
  });

  test('a sealed key altered while serving is opened again at the next reload, not reused', async () => {
    // A reload (every 250 ms) copies the opened key of an unchanged sealed
    // text rather than decrypting it again; a changed text must be opened.
    await withServer({}, async (server) => {
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      assert.equal((await call(server, 'GET', ME, token, { tenant: 'my-store' })).status, 200);
      const kid = kidOf(token);
      const text = dbQuery(server.db, `SELECT private_pem FROM signing_keys WHERE kid = '${kid}'`).trim();
      const at = 'sealed:v1:'.length + 20;
      const altered = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      dbQuery(server.db, `UPDATE signing_keys SET private_pem = '${altered}' WHERE kid = '${kid}'`);
      const seen = new RegExp(`event=signing_key_unreadable kid=${kid}`);
      for (let i = 0; i < 40 && !seen.test(server.stderr()); i++) {
        await new Promise((r) => setTimeout(r, 100));
        await call(server, 'GET', ME, token, { tenant: 'my-store' });
      }
      assert.match(server.stderr(), seen);
      // The set loaded before stays in force: tokens keep verifying.
      assert.equal((await call(server, 'GET', ME, token, { tenant: 'my-store' })).status, 200);
      dbQuery(server.db, `UPDATE signing_keys SET private_pem = '${text}' WHERE kid = '${kid}'`);
    });
  });

  test('a key stored in clear (before this version) is sealed at the next start', async () => {
    const server = await startServer();
    try {
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      await server.stop({ keep: true });
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' });
      const pem = privateKey.export({ type: 'pkcs1', format: 'pem' });
      dbQuery(server.db, 'INSERT INTO signing_keys (kid, alg, private_pem, public_jwk, created_at,' +
        ` retired_at) VALUES ('old-clear', 'RS256', '${pem}',` +
        ` '${JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e })}', 1, 2)`);
      assert.match(dbQuery(server.db, "SELECT private_pem FROM signing_keys WHERE kid = 'old-clear'"),
        /BEGIN RSA PRIVATE KEY/);
      await withServer({}, { dir: server.dir }, async (again) => {
        assert.match(again.stderr(), /event=signing_key_sealed kid=old-clear/);
        for (const t of dbQuery(again.db, 'SELECT private_pem FROM signing_keys').split('\n')) {
          assert.match(t, SEALED);
        }
        assert.equal((await call(again, 'GET', ME, token, { tenant: 'my-store' })).status, 200,
          'a token signed before still verifies');
      });
    } finally {
      await server.stop().catch(() => {});
    }
  });

  test('LATCHKEY_KEY_ENCRYPTION_KEY; a wrong, malformed or missing key stops the start', async () => {
    const key = crypto.randomBytes(32).toString('base64');
    const server = await startServer({ LATCHKEY_KEY_ENCRYPTION_KEY: key });
    try {
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      await server.stop({ keep: true });
      if (!/^postgres/.test(server.db)) {
        assert.ok(!fs.existsSync(path.join(server.dir, 'key-encryption.key')),
          'no key file when the key is in the environment');
      }
      let r = serveFails(server, { LATCHKEY_KEY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') });
      assert.match(r.stderr, /cannot decrypt or seal the JWT signing keys/);
      assert.match(r.stderr, /event=signing_key_unreadable kid=/);
      r = serveFails(server, { LATCHKEY_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' });
      assert.match(r.stderr, /LATCHKEY_KEY_ENCRYPTION_KEY must be 32 bytes in base64/);
      // Unset: the default key file is created, and it is not the key that sealed them.
      r = serveFails(server, { LATCHKEY_KEY_ENCRYPTION_KEY: null });
      assert.match(r.stderr, /cannot decrypt or seal the JWT signing keys/);
      const bad = path.join(server.dir, 'bad.key');
      fs.writeFileSync(bad, 'not base64 at all\n', { mode: 0o600 });
      r = serveFails(server, { LATCHKEY_KEY_ENCRYPTION_KEY: null, LATCHKEY_KEY_ENCRYPTION_KEY_FILE: bad });
      assert.match(r.stderr, /bad\.key: not 32 bytes in base64/);
      await withServer({ LATCHKEY_KEY_ENCRYPTION_KEY: key }, { dir: server.dir }, async (again) => {
        assert.equal((await call(again, 'GET', ME, token, { tenant: 'my-store' })).status, 200);
      });
    } finally {
      await server.stop().catch(() => {});
    }
  });

  test('keys rewrap: every key sealed under a new key file; the old key no longer opens them', async () => {
    const server = await startServer();
    try {
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      okJson(server.cli('keys', 'rotate', '--json'));
      const before = dbQuery(server.db, 'SELECT private_pem FROM signing_keys ORDER BY kid');
      await server.stop({ keep: true });
      const newFile = path.join(server.dir, 'next.key');
      const out = okJson(server.cli('keys', 'rewrap', '--new-key-file', newFile, '--json'));
      assert.deepEqual(out, { rewrapped: 2, key_file: newFile, created: true });
      assert.equal(fs.statSync(newFile).mode & 0o777, 0o600);
      const after = dbQuery(server.db, 'SELECT private_pem FROM signing_keys ORDER BY kid');
      assert.notEqual(after, before);
      for (const t of after.split('\n')) assert.match(t, SEALED);
      // The old key file no longer opens them; the new one does.
      serveFails(server, {});
      await withServer({ LATCHKEY_KEY_ENCRYPTION_KEY_FILE: newFile }, { dir: server.dir },
        async (again) => {
          assert.equal((await call(again, 'GET', ME, token, { tenant: 'my-store' })).status, 200);
          const fresh = (await loginOk(again, 'my-store', 'john@mystore.com')).token;
          assert.notEqual(kidOf(fresh), kidOf(token), 'signs with the rotated key');
        });
      // Rewrapping with a key that does not open them changes nothing.
      const r = server.cli('keys', 'rewrap', '--new-key-file', path.join(server.dir, 'third.key'));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /cannot be decrypted with the current key encryption key; nothing was changed/);
      assert.equal(dbQuery(server.db, 'SELECT private_pem FROM signing_keys ORDER BY kid'), after);
      const usage = server.cli('keys', 'rewrap');
      assert.equal(usage.status, 2, usage.stderr);
      // A command other than serve and migrate never creates a key file; without
      // one it cannot seal a new key, and says so.
      const missing = path.join(server.dir, 'missing.key');
      const rot = runCli({ ...server.env, LATCHKEY_KEY_ENCRYPTION_KEY_FILE: missing }, 'keys', 'rotate');
      assert.equal(rot.status, 1, rot.stderr);
      assert.match(rot.stderr, /keys rotate: no key encryption key/);
      assert.ok(!fs.existsSync(missing));
    } finally {
      await server.stop().catch(() => {});
    }
  });
});
