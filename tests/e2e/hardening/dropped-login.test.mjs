// A client that leaves while its login is being hashed (the request is
// deferred to the hashing pool and its connection suspended). The login's
// resume step still runs, once, to release what the job holds (the copy of
// the password, the login's state): the attempt is audited like any other,
// and under `make sanitize` the server's exit shows no leak (LeakSanitizer
// fails the stop). Before this, MHD closed the connection when the job
// resumed it without calling the handler again, and both were lost.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { createStaff, startAdminServer } from '../lib/admin.mjs';
import { dbQuery, waitFor } from '../lib/server.mjs';

// A slower hash than the suites' (about 0.1 s on an idle machine), so the
// client is gone well before the job ends.
const SLOW_HASH = { LATCHKEY_ARGON2_OPSLIMIT: '2', LATCHKEY_ARGON2_MEMLIMIT_KIB: '32768' };
const ROUNDS = 5;

// Sends a login and closes the connection 30 ms later, without reading.
function loginAndLeave(port, email) {
  const body = JSON.stringify({ email, password: 'not-the-password-4821' });
  const head = 'POST /admin/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/json\r\nAccept: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      sock.write(head + body);
      setTimeout(() => { sock.destroy(); resolve(); }, 30);
    });
    sock.on('error', reject);
  });
}

describe('hardening: a client that leaves during its login', () => {
  let server;
  let user;

  before(async () => {
    ({ server } = await startAdminServer(SLOW_HASH));
    user = createStaff(server, 'leaver@admin.test', 'support');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop(); // exit code 0: no leak under the sanitizers
  }, { timeout: 30000 });

  test('each dropped login is still finished and audited, once', { timeout: 120000 }, async () => {
    const count = () => Number(dbQuery(server.db,
      `SELECT COUNT(*) FROM audit_log WHERE action = 'login.failure' AND user_id = ${user.id}`));
    for (let i = 0; i < ROUNDS; i++) await loginAndLeave(server.port, 'leaver@admin.test');
    const all = await waitFor(() => count() === ROUNDS, { timeoutMs: 60000 });
    assert.ok(all, `${ROUNDS} dropped logins audited: ${count()}`);
    // The server still answers, and nothing is audited twice.
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
    await new Promise((r) => { setTimeout(r, 300); });
    assert.equal(count(), ROUNDS);
  });
});
