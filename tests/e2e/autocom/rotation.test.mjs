// Key rotation: `latchkey keys rotate` while the server runs. Tokens signed
// before keep verifying (latchkey and jose), new tokens carry the new kid, the
// JWKS lists both until the old key's tokens have all expired; the first key
// is made at first start and survives restarts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { decodeJwt } from 'jose';

import { call, fetchJwks, kidOf, loginOk, registerOk, verifyWithJose } from '../lib/autocom.mjs';
import { okJson } from '../lib/cli.mjs';
import { startServer, waitFor } from '../lib/server.mjs';

const ME = '/api/v1/auth/me';

describe('autocom: key rotation', () => {
  let server;

  before(async () => {
    server = await startServer();
    await registerOk(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('first start made one active key; it survives a restart', async () => {
    const keys = okJson(server.cli('keys', 'list', '--json'));
    assert.equal(keys.length, 1);
    assert.equal(keys[0].state, 'active');
    assert.equal(keys[0].alg, 'RS256');
    assert.equal(keys[0].retired_at, null);
    assert.ok(!JSON.stringify(keys).includes('PRIVATE'), 'no private key in the listing');
    const before = (await fetchJwks(server)).keys.map((k) => k.kid);
    await server.stop({ keep: true });
    server = await startServer({}, { dir: server.dir });
    assert.deepEqual((await fetchJwks(server)).keys.map((k) => k.kid), before);
    assert.equal(okJson(server.cli('keys', 'list', '--json')).length, 1);
  });

  test('rotate: old tokens still verify, new ones carry the new kid, JWKS has both', async () => {
    const old = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const oldKid = kidOf(old);
    const rotated = okJson(server.cli('keys', 'rotate', '--json'));
    assert.notEqual(rotated.kid, oldKid);
    assert.equal(rotated.state, 'active');

    // The running server reloads its keys within about a second.
    const fresh = await waitFor(async () => {
      const t = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
      return kidOf(t) === rotated.kid ? t : null;
    }, { timeoutMs: 5000, everyMs: 200 });
    assert.ok(fresh, 'a token signed with the new key');

    const jwks = await fetchJwks(server);
    assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [oldKid, rotated.kid].sort());
    for (const t of [old, fresh]) {
      assert.equal((await call(server, 'GET', ME, t, { tenant: 'my-store' })).status, 200);
      await verifyWithJose(server, t);
    }

    const keys = okJson(server.cli('keys', 'list', '--json'));
    const byKid = Object.fromEntries(keys.map((k) => [k.kid, k]));
    assert.equal(byKid[oldKid].state, 'retired');
    assert.ok(byKid[oldKid].retired_at);
    assert.equal(Date.parse(byKid[oldKid].verifies_until) - Date.parse(byKid[oldKid].retired_at),
      (3600 + 5) * 1000, 'verifies for a token lifetime (+5 s) after retirement');
    assert.equal(byKid[rotated.kid].state, 'active');
  });

  test('keys list without --json; keys --help', async () => {
    const r = server.cli('keys', 'list');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /active/);
    assert.match(r.stdout, /retired/);
    const help = server.cli('keys', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /rotate/);
    assert.equal(server.cli('keys', 'frobnicate').status, 2);
  });
});

describe('autocom: a retired key leaves the JWKS once its tokens expired', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_JWT_TTL: '1' });
    await registerOk(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('listed until retired_at + TTL + 5 s, then only the new key', async () => {
    const old = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const oldKid = kidOf(old);
    assert.equal(decodeJwt(old).exp - decodeJwt(old).iat, 1);
    const { kid } = okJson(server.cli('keys', 'rotate', '--json'));
    const retired = okJson(server.cli('keys', 'list', '--json')).find((k) => k.kid === oldKid);
    assert.equal(retired.state, 'retired');
    assert.equal(Date.parse(retired.verifies_until) - Date.parse(retired.retired_at), 6000);

    const both = await waitFor(async () => (await fetchJwks(server)).keys.length === 2,
      { timeoutMs: 3000, everyMs: 100 });
    assert.ok(both, 'the JWKS lists both keys after the reload');
    const onlyNew = await waitFor(async () => {
      const kids = (await fetchJwks(server)).keys.map((k) => k.kid);
      return kids.length === 1 && kids[0] === kid;
    }, { timeoutMs: 12000, everyMs: 250 });
    assert.ok(onlyNew, 'the retired key left the JWKS');
    assert.ok(Date.now() >= Date.parse(retired.verifies_until) - 1000, 'not before its time');
    const expired = okJson(server.cli('keys', 'list', '--json')).find((k) => k.kid === oldKid);
    assert.equal(expired.state, 'expired');
    const fresh = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    assert.equal(kidOf(fresh), kid);
    assert.equal((await call(server, 'GET', ME, fresh)).status, 200);
  });
});
