// Issue 16, item 3: a login's time does not tell whether the email exists,
// whatever hash the account holds. The server hashes at a real cost; one
// account keeps a hash made at a far cheaper argon2id cost (as after the
// cost was raised), one an imported bcrypt hash of cost 4. Wrong-password
// logins of each, and of an unknown email, are timed interleaved; their
// medians must agree within a factor of two. Before the fix the stale
// accounts answered in a few milliseconds against tens for an unknown
// email (ratios under 0.1); a tighter bound failed on a loaded two-core
// machine (1.61 once, in a fresh Debian chroot beside a CI run).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createTenant, login } from '../lib/fixtures.mjs';
import { runCli, startServer } from '../lib/server.mjs';

const ROUNDS = 21;
// bcrypt, cost 4, of "Imported-Bcrypt-Pw-7" (Python's crypt, $2b$ read as $2y$).
const BCRYPT_HASH = '$2y$04$XxGJAq3ereZMseZpus6fUu1ECBPB6F.E2QVXL8OukUlOpIO0p.Av.';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

describe('login timing does not depend on the stored hash', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_ARGON2_OPSLIMIT: '2', LATCHKEY_ARGON2_MEMLIMIT_KIB: '16384' });
    createTenant(server, 'acme');
    const cheap = { LATCHKEY_ARGON2_OPSLIMIT: '1', LATCHKEY_ARGON2_MEMLIMIT_KIB: '8' };
    let r = runCli({ ...server.env, ...cheap }, 'user', 'create', '--email', 'old@acme.test',
      '--name', 'Old Cost', '--password', 'Old-Cost-Password-3', '--tenant', 'acme', '--role',
      'agent', '--json');
    assert.equal(r.status, 0, r.stderr);
    r = runCli(server.env, 'user', 'create', '--email', 'imported@acme.test', '--name', 'Imported',
      '--password-hash', BCRYPT_HASH, '--tenant', 'acme', '--role', 'agent', '--json');
    assert.equal(r.status, 0, r.stderr);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  async function timed(email) {
    const t0 = process.hrtime.bigint();
    const res = await login(server, email, 'a wrong guess 1234');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(res.status, 422, res.text); // seed 004's wrong credentials
    return ms;
  }

  test('unknown email, old-cost account and bcrypt account: same median', async (t) => {
    const kinds = ['nobody@acme.test', 'old@acme.test', 'imported@acme.test'];
    const times = Object.fromEntries(kinds.map((k) => [k, []]));
    for (const k of kinds) await timed(k); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      for (const k of kinds) times[k].push(await timed(k));
    }
    const m = Object.fromEntries(kinds.map((k) => [k, median(times[k])]));
    const base = m['nobody@acme.test'];
    t.diagnostic(`medians (ms): ${JSON.stringify(m)}`);
    for (const k of kinds.slice(1)) {
      const ratio = m[k] / base;
      assert.ok(ratio > 0.5 && ratio < 2,
        `median of ${k} ${m[k].toFixed(1)} ms vs unknown email ${base.toFixed(1)} ms ` +
        `(ratio ${ratio.toFixed(2)}); all medians: ${JSON.stringify(m)}`);
    }
  });

  test('the stale accounts still sign in with their passwords', async () => {
    for (const [email, password] of [['old@acme.test', 'Old-Cost-Password-3'],
      ['imported@acme.test', 'Imported-Bcrypt-Pw-7']]) {
      const res = await login(server, email, password);
      assert.equal(res.status, 200, res.text);
    }
  });
});
