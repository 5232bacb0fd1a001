// Seed 003 (WNCMS): HTTP Basic mode - wrong password, unknown user,
// inactive user, and the remembered credential (no argon2id per request)
// forgotten at once after a password change or a suspension.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { login as autocomLogin } from '../lib/autocom.mjs';
import { api, sleep } from '../lib/server.mjs';
import {
  assertSuccess, BASIC_CHALLENGE, createSite, INVALID_CREDENTIALS, PASSWORD, setSetting,
  startWncms, withBasic,
} from '../lib/wncms.mjs';

function assertRefused(res) {
  assert.equal(res.status, 401, res.text);
  assert.equal(res.headers.get('www-authenticate'), BASIC_CHALLENGE);
  assert.deepEqual(res.body, INVALID_CREDENTIALS);
}

describe('wncms: basic mode', () => {
  let server;
  let site;

  before(async () => {
    // A real argon2id cost, so a hash shows in the timings below.
    server = await startWncms({ LATCHKEY_ARGON2_OPSLIMIT: 3, LATCHKEY_ARGON2_MEMLIMIT_KIB: 65536,
      LATCHKEY_RATE_LOGIN: '1000/60' });
    site = createSite(server, 'alpha');
    setSetting(server, 'wncms_api_posts_index_auth', 'basic');
    await sleep(500);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  const index = (email, password) => withBasic(server, 'GET', '/api/v1/posts', email, password,
    undefined, { 'X-Tenant': 'alpha' });

  test('the right password passes; a wrong one and an unknown user are refused alike', async () => {
    assertSuccess(await index(site.admin.email, PASSWORD));
    assertRefused(await index(site.admin.email, 'wrong-password'));
    assertRefused(await index('nobody@alpha.test', PASSWORD));
    // The email is case-insensitive, the password is not.
    assertSuccess(await index(site.admin.email.toUpperCase(), PASSWORD));
    assertRefused(await index(site.admin.email, PASSWORD.toUpperCase()));
    // A member of another site is not a member of this one.
    createSite(server, 'beta');
    assertRefused(await index('admin@beta.test', PASSWORD));
  });

  test('a remembered credential costs no hash: repeated requests are fast', async () => {
    assertSuccess(await index(site.editor.email, PASSWORD));
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) assertSuccess(await index(site.editor.email, PASSWORD));
    const perRequest = (performance.now() - t0) / 20;
    // One argon2id hash at 64 MiB takes tens of milliseconds here.
    const h0 = performance.now();
    assertRefused(await index(site.editor.email, 'not-the-password'));
    const hashed = performance.now() - h0;
    assert.ok(perRequest < hashed / 2, `cached ${perRequest} ms vs hashed ${hashed} ms`);
  });

  test('inactive and suspended users are refused, also while remembered', async () => {
    const email = 'leaving@alpha.test';
    server.cli('user', 'create', '--email', email, '--name', 'Leaving', '--password', PASSWORD,
      '--tenant', 'alpha', '--role', 'editor');
    assertSuccess(await index(email, PASSWORD));
    for (const status of ['inactive', 'suspended']) {
      server.cli('user', 'set-status', '--email', email, '--status', status);
      assertRefused(await index(email, PASSWORD));
    }
    server.cli('user', 'set-status', '--email', email, '--status', 'active');
    assertSuccess(await index(email, PASSWORD));
    // A suspended membership too.
    server.cli('member', 'set-status', '--user', email, '--tenant', 'alpha', '--status', 'suspended');
    assertRefused(await index(email, PASSWORD));
  });

  test('a password change forgets the remembered credential at once', async () => {
    const email = site.admin.email;
    assertSuccess(await index(email, PASSWORD));
    assertSuccess(await index(email, PASSWORD)); // remembered now
    // Change it through AutoCom's change-password (the same account).
    const jwt = await autocomLogin(server, 'alpha', email, PASSWORD);
    assert.equal(jwt.status, 200, jwt.text);
    const changed = await api(server, 'POST', '/api/v1/auth/change-password', {
      token: jwt.body.access_token, headers: { 'X-Tenant': 'alpha' },
      body: { current_password: PASSWORD, password: 'brand-new-password',
        password_confirmation: 'brand-new-password' } });
    assert.equal(changed.status, 200, changed.text);
    assertRefused(await index(email, PASSWORD));
    assertSuccess(await index(email, 'brand-new-password'));
  });

  test('a malformed Authorization header is a plain refusal', async () => {
    for (const h of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':pw').toString('base64')}`, 'Bearer x', `Basic ${'A'.repeat(5000)}`]) {
      const r = await api(server, 'GET', '/api/v1/posts',
        { headers: { Authorization: h, 'X-Tenant': 'alpha' } });
      assertRefused(r);
    }
  });
});
