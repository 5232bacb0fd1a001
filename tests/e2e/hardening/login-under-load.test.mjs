// Logins under a flood of token checks. While the HTTP threads keep
// answering requests, the hashing pool runs one hash fewer than it has
// threads (README "Performance", scenario 4), and a login that waited a
// second starts anyway: logins slow down but never stop, and the token
// checks keep being answered.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cliToken, createSeedData, JOHN_PASSWORD, login } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';

// A slower hash than the suites' (about 0.1 s on an idle machine), so
// several logins are queued at once, on two hashing threads.
const ENV = {
  LATCHKEY_ARGON2_OPSLIMIT: '2',
  LATCHKEY_ARGON2_MEMLIMIT_KIB: '32768',
  LATCHKEY_HASH_THREADS: '2',
  LATCHKEY_RATE_API: '100000000/60',
  LATCHKEY_RATE_TOKEN: '100000/60',
  LATCHKEY_RATE_LOGIN: '100000/60',
};
const FLOOD = 16; // concurrent token-check loops
const LOGINS = 6; // concurrent logins, twice the hashing threads and more

describe('hardening: logins while token checks flood the server', () => {
  let server;
  let token;

  before(async () => {
    server = await startServer(ENV);
    createSeedData(server);
    token = cliToken(server, 'john@example.com', 'safeway');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('every login completes while the checks go on', { timeout: 60000 }, async () => {
    let flooding = true;
    const checks = { ok: 0, other: 0 };
    const loop = async () => {
      while (flooding) {
        const res = await api(server, 'GET', '/api/v1/auth/user', { token });
        if (res.status === 200) checks.ok++;
        else checks.other++;
      }
    };
    const flood = Array.from({ length: FLOOD }, loop);
    try {
      await new Promise((r) => { setTimeout(r, 300); }); // the flood is under way
      const t0 = Date.now();
      const checksBefore = checks.ok;
      const results = await Promise.all(Array.from({ length: LOGINS }, async () => {
        const res = await login(server, 'john@example.com', JOHN_PASSWORD);
        return { status: res.status, ms: Date.now() - t0, text: res.text };
      }));
      for (const r of results) assert.equal(r.status, 200, `login under load: ${r.text}`);
      // Served, not starved: the last one within its bound (a second's
      // hold, then its hash) and generous slack for a loaded machine.
      const last = Math.max(...results.map((r) => r.ms));
      assert.ok(last < 30000, `the last login took ${last} ms`);
      assert.ok(checks.ok > checksBefore, 'the token checks went on during the logins');
    } finally {
      flooding = false;
      await Promise.all(flood);
    }
    assert.equal(checks.other, 0, 'every token check answered 200');
    assert.ok(checks.ok > 0);
  });
});
