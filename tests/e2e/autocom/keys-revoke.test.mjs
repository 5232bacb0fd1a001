// The kill switch (issue 16): `latchkey keys revoke KID` while two
// instances run over one database (PostgreSQL when LATCHKEY_TEST_PG_URL is
// set, else one SQLite file). Within a second both refuse every token the
// key signed, also one each has verified before (the memo), and neither
// lists it in its JWKS. The only active key is revoked only with --rotate.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { UNAUTHENTICATED, call, fetchJwks, kidOf, loginOk, registerOk } from '../lib/autocom.mjs';
import { fails, okJson } from '../lib/cli.mjs';
import { dbQuery } from '../lib/server.mjs';
import { startPair, within } from '../lib/scale.mjs';

const ME = '/api/v1/auth/me';

const meStatus = async (server, token) =>
  (await call(server, 'GET', ME, token, { tenant: 'my-store' })).status;

describe('autocom: keys revoke on two instances', () => {
  let pair;

  before(async () => {
    pair = await startPair();
    await registerOk(pair.a, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  test('the only active key: refused without --rotate, nothing changes', async () => {
    const [key] = okJson(pair.a.cli('keys', 'list', '--json'));
    const r = fails(pair.a.cli('keys', 'revoke', key.kid), 1);
    assert.match(r.stderr, /only active signing key; pass --rotate/);
    assert.equal(okJson(pair.a.cli('keys', 'list', '--json'))[0].state, 'active');
    fails(pair.a.cli('keys', 'revoke', 'no-such-kid'), 1);
    fails(pair.a.cli('keys', 'revoke'), 2);
  });

  test('revoke --rotate: both instances refuse its tokens within 1 s; JWKS drops it', async () => {
    const { token } = await loginOk(pair.a, 'my-store', 'john@mystore.com');
    const kid = kidOf(token);
    // Both instances have verified it (and remembered it).
    assert.equal(await meStatus(pair.a, token), 200);
    assert.equal(await meStatus(pair.b, token), 200);
    assert.equal(await meStatus(pair.b, token), 200);

    const out = okJson(pair.a.cli('keys', 'revoke', kid, '--rotate', '--json'));
    assert.equal(out.kid, kid);
    assert.equal(out.state, 'revoked');
    assert.notEqual(out.new_kid, kid);

    const [ra, rb] = await Promise.all([
      within(1000, 401, () => meStatus(pair.a, token)),
      within(1000, 401, () => meStatus(pair.b, token)),
    ]);
    assert.ok(ra.ok, `instance A still accepted it after ${ra.ms} ms`);
    assert.ok(rb.ok, `instance B still accepted it after ${rb.ms} ms`);
    const res = await call(pair.b, 'GET', ME, token, { tenant: 'my-store' });
    assert.deepEqual(res.body, UNAUTHENTICATED);

    for (const s of [pair.a, pair.b]) {
      const kids = (await fetchJwks(s)).keys.map((k) => k.kid);
      assert.deepEqual(kids, [out.new_kid], 'only the new key is published');
      const fresh = (await loginOk(s, 'my-store', 'john@mystore.com')).token;
      assert.equal(kidOf(fresh), out.new_kid);
      assert.equal(await meStatus(s, fresh), 200);
    }
    const listed = okJson(pair.a.cli('keys', 'list', '--json'));
    const revoked = listed.find((k) => k.kid === kid);
    assert.equal(revoked.state, 'revoked');
    // Its private key is gone from the database.
    assert.equal(dbQuery(pair.a.db, `SELECT private_pem FROM signing_keys WHERE kid = '${kid}'`), '');
    fails(pair.a.cli('keys', 'revoke', kid), 1);
  });

  test('a retired key is revoked without --rotate; its tokens stop at once', async () => {
    const { token } = await loginOk(pair.b, 'my-store', 'john@mystore.com');
    const oldKid = kidOf(token);
    const rotated = okJson(pair.a.cli('keys', 'rotate', '--json'));
    assert.equal(await meStatus(pair.b, token), 200, 'a retired key still verifies');
    okJson(pair.a.cli('keys', 'revoke', oldKid, '--json'));
    const [ra, rb] = await Promise.all([
      within(1000, 401, () => meStatus(pair.a, token)),
      within(1000, 401, () => meStatus(pair.b, token)),
    ]);
    assert.ok(ra.ok && rb.ok, `A ${ra.ms} ms, B ${rb.ms} ms`);
    const kids = (await fetchJwks(pair.b)).keys.map((k) => k.kid);
    assert.deepEqual(kids, [rotated.kid]);
  });
});
