// Seed 003 (WNCMS): each auth mode (none, simple, basic) on each endpoint,
// the seed's error bodies byte for byte, admin-only endpoints, token
// rotation, inactive users, and the site a request picks.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, sleep, syncLog, waitFor } from '../lib/server.mjs';
import {
  ADMIN_REQUIRED_TEXT, apiToken, assertSuccess, assertText, BASIC_CHALLENGE,
  createSite, ENDPOINT_NAMES, endpoints, INVALID_CREDENTIALS, INVALID_TOKEN_TEXT, PASSWORD,
  setSetting, startWncms, withBasic, withToken,
} from '../lib/wncms.mjs';

// What the settings cache needs to see a change made by another process
// (the CLI): its 200 ms poll, with room to spare.
const SETTLE_MS = 500;

describe('wncms: auth modes per endpoint', () => {
  let server;
  let site;

  before(async () => {
    server = await startWncms({ LATCHKEY_LAST_USED_FLUSH_MS: 100 });
    site = createSite(server, 'alpha');
    createSite(server, 'beta');
    // The role rule apart: every endpoint open to any authenticated user here.
    for (const name of ENDPOINT_NAMES) setSetting(server, `wncms_api_posts_${name}_role`, 'none');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  async function setMode(mode) {
    for (const name of ENDPOINT_NAMES) setSetting(server, `wncms_api_posts_${name}_auth`, mode);
    await sleep(SETTLE_MS);
  }

  test('none: public, the site from X-Tenant; no site is a 404', async () => {
    await setMode('none');
    for (const [name, method, path, body] of endpoints('none-post')) {
      const res = await api(server, method, path, { body, headers: { 'X-Tenant': 'alpha' } });
      assertSuccess(res);
      if (name === 'store') assert.equal(res.body.data.author, null, 'no author without a user');
      const bare = await api(server, method, path, { body });
      assert.equal(bare.status, 404, `${name} without a site`);
      assert.deepEqual(bare.body, { status: 'fail', message: 'Site not found' });
    }
  });

  test('simple: api_token required on every endpoint; the seed\'s body otherwise', async () => {
    await setMode('simple');
    for (const [name, method, path, body] of endpoints('simple-post')) {
      assertText(await api(server, method, path, { body }), 401, INVALID_TOKEN_TEXT);
      assertText(await withToken(server, method, path, 'not-a-token', body), 401,
        INVALID_TOKEN_TEXT);
      // Basic credentials do not count in simple mode.
      assertText(await withBasic(server, method, path, site.admin.email, PASSWORD, body), 401,
        INVALID_TOKEN_TEXT);
      assertSuccess(await withToken(server, method, path, site.admin.token, body), undefined, name);
    }
  });

  test('basic: email and password on every endpoint, 401 with a challenge otherwise', async () => {
    await setMode('basic');
    for (const [name, method, path, body] of endpoints('basic-post')) {
      const bare = await api(server, method, path, { body, headers: { 'X-Tenant': 'alpha' } });
      assert.equal(bare.status, 401, name);
      assert.equal(bare.headers.get('www-authenticate'), BASIC_CHALLENGE);
      assert.deepEqual(bare.body, INVALID_CREDENTIALS);
      // An API token does not count in basic mode.
      const token = await withToken(server, method, path, site.admin.token, body);
      assert.equal(token.status, 401, name);
      assertSuccess(await withBasic(server, method, path, site.admin.email, PASSWORD, body,
        { 'X-Tenant': 'alpha' }));
    }
    // Without X-Tenant the user's site is the site.
    assertSuccess(await withBasic(server, 'GET', '/api/v1/posts', site.admin.email, PASSWORD));
    await setMode('simple');
  });

  test('simple: the token in the JSON body, a form body, the query or a Bearer header', async () => {
    const t = site.admin.token;
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', t));
    assertSuccess(await api(server, 'POST', '/api/v1/posts', {
      body: `api_token=${encodeURIComponent(t)}&page_size=1`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
    assertSuccess(await api(server, 'GET', `/api/v1/posts?api_token=${encodeURIComponent(t)}`));
    assertSuccess(await api(server, 'GET', '/api/v1/posts', { token: t }));
    // The secret alone (no "id|"), as WNCMS tokens look, works too.
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', t.split('|')[1]));
    // The access log has the path without the query: the token is not logged.
    await syncLog(server);
    assert.ok(!server.stderr().includes(t.split('|')[1]), 'the token is in the log');
  });

  test('a token works in its own site only', async () => {
    const t = site.admin.token;
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', t, {}, { 'X-Tenant': 'alpha' }));
    assertText(await withToken(server, 'POST', '/api/v1/posts', t, {}, { 'X-Tenant': 'beta' }),
      401, INVALID_TOKEN_TEXT);
    // A site that does not exist, or a tenant of another product, is no site.
    for (const other of ['nowhere']) {
      const r = await withToken(server, 'POST', '/api/v1/posts', t, {}, { 'X-Tenant': other });
      assert.equal(r.status, 404);
    }
    server.cli('tenant', 'create', '--slug', 'travelco', '--name', 'Travel Co');
    const r = await withToken(server, 'POST', '/api/v1/posts', t, {}, { 'X-Tenant': 'travelco' });
    assert.deepEqual([r.status, r.body], [404, { status: 'fail', message: 'Site not found' }]);
  });

  test('admin-only endpoints: an Editor gets the seed\'s 403, an Admin passes', async () => {
    for (const name of ['store', 'update', 'delete']) setSetting(server, `wncms_api_posts_${name}_role`, 'admin');
    await sleep(SETTLE_MS);
    for (const [name, method, path, body] of endpoints('admin-post')) {
      if (['store', 'update', 'delete'].includes(name)) {
        assertText(await withToken(server, method, path, site.editor.token, body), 403,
          ADMIN_REQUIRED_TEXT);
      } else {
        assertSuccess(await withToken(server, method, path, site.editor.token, body));
      }
      assertSuccess(await withToken(server, method, path, site.admin.token, body));
    }
    // Configurable: index too, and the editor is refused there.
    setSetting(server, 'wncms_api_posts_index_role', 'admin');
    await sleep(SETTLE_MS);
    assertText(await withToken(server, 'POST', '/api/v1/posts', site.editor.token), 403,
      ADMIN_REQUIRED_TEXT);
    // An owner holds every right an admin has.
    server.cli('user', 'create', '--email', 'owner@alpha.test', '--name', 'Owner', '--password',
      PASSWORD, '--tenant', 'alpha', '--role', 'owner');
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts',
      apiToken(server, 'owner@alpha.test', 'alpha')));
    // none mode with a role required: nobody is an admin without a credential.
    setSetting(server, 'wncms_api_posts_index_auth', 'none');
    await sleep(SETTLE_MS);
    assertText(await api(server, 'POST', '/api/v1/posts', { headers: { 'X-Tenant': 'alpha' } }),
      403, ADMIN_REQUIRED_TEXT);
    setSetting(server, 'wncms_api_posts_index_auth', 'simple');
    setSetting(server, 'wncms_api_posts_index_role', 'none');
    await sleep(SETTLE_MS);
  });

  test('rotation: the new token works, the old one is refused at once', async () => {
    const user = createSiteUser(server, 'rotate@alpha.test');
    const first = apiToken(server, user, 'alpha');
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', first));
    const second = apiToken(server, user, 'alpha');
    assert.notEqual(second, first);
    assertText(await withToken(server, 'POST', '/api/v1/posts', first), 401, INVALID_TOKEN_TEXT);
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', second));
    // Both rows stay, the first revoked.
    const mine = () => server.cli('token', 'list', '--user', user, '--json').json
      .filter((tk) => tk.name === 'wncms-api-token');
    assert.equal(mine().length, 2);
    assert.equal(mine().filter((tk) => tk.revoked_at === null).length, 1);
    // Each use is recorded: last_used_at (written in batches).
    const used = await waitFor(() => mine().find((tk) => tk.revoked_at === null).last_used_at,
      { timeoutMs: 3000 });
    assert.ok(used, 'last_used_at of the live token');
  });

  test('an inactive or suspended user\'s token is an invalid token', async () => {
    const user = createSiteUser(server, 'leaving@alpha.test');
    const t = apiToken(server, user, 'alpha');
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', t));
    for (const status of ['inactive', 'suspended']) {
      server.cli('user', 'set-status', '--email', user, '--status', status);
      assertText(await withToken(server, 'POST', '/api/v1/posts', t), 401, INVALID_TOKEN_TEXT);
    }
    server.cli('user', 'set-status', '--email', user, '--status', 'active');
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', t));
  });

  test('the throttle headers of the other surfaces', async () => {
    const res = await withToken(server, 'POST', '/api/v1/posts', site.admin.token);
    assert.equal(res.headers.get('x-ratelimit-limit'), '100000');
    assert.ok(Number(res.headers.get('x-ratelimit-remaining')) < 100000);
    const bad = await withToken(server, 'POST', '/api/v1/posts', 'nope');
    assert.ok(bad.headers.get('x-ratelimit-limit'));
  });
});

// A member of alpha (Editor) with a password; returns the email.
function createSiteUser(server, email) {
  server.cli('user', 'create', '--email', email, '--name', email, '--password', PASSWORD,
    '--tenant', 'alpha', '--role', 'editor');
  return email;
}

describe('wncms: the throttle', () => {
  test('60 a minute per token by default; 429 beyond, per token', async () => {
    const server = await startWncms({ LATCHKEY_RATE_WNCMS: '3/60' });
    try {
      const site = createSite(server, 'gamma');
      for (let i = 0; i < 3; i++) {
        const r = await withToken(server, 'POST', '/api/v1/posts', site.admin.token);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(2 - i));
      }
      const over = await withToken(server, 'POST', '/api/v1/posts', site.admin.token);
      assert.equal(over.status, 429);
      assert.ok(Number(over.headers.get('retry-after')) > 0);
      // Another user's token has its own count.
      assertSuccess(await withToken(server, 'POST', '/api/v1/posts', site.editor.token));
    } finally {
      await server.stop();
    }
  });
});
