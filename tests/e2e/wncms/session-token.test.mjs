// Seed 003 (WNCMS) + issue 13's sessions: POST /user/api-token, the
// profile page's "Generate Token" - a dashboard session and its CSRF
// token generate the user's API token for the session's site, shown once;
// the previous one dies at once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { webClient, CSRF_MISMATCH } from '../lib/wedocod.mjs';
import {
  assertSuccess, assertText, createSite, INVALID_TOKEN_TEXT, PASSWORD, startWncms, withToken,
} from '../lib/wncms.mjs';

describe('wncms: POST /user/api-token from a dashboard session', () => {
  let server;
  let site;

  before(async () => {
    server = await startWncms();
    site = createSite(server, 'alpha');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('generated with session and CSRF; rotation revokes the previous token', async () => {
    const web = webClient(server);
    await web.login(site.editor.email, PASSWORD);
    const r1 = await web.request('POST', '/user/api-token');
    assert.equal(r1.status, 201, r1.text);
    assert.deepEqual(Object.keys(r1.body), ['api_token', 'tenant']);
    assert.equal(r1.body.tenant, 'alpha');
    assert.equal(r1.headers.get('cache-control'), 'no-store');
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', r1.body.api_token));
    // The CLI's token of this user was the previous one: revoked now.
    assertText(await withToken(server, 'POST', '/api/v1/posts', site.editor.token), 401,
      INVALID_TOKEN_TEXT);
    const r2 = await web.request('POST', '/user/api-token');
    assert.equal(r2.status, 201);
    assertText(await withToken(server, 'POST', '/api/v1/posts', r1.body.api_token), 401,
      INVALID_TOKEN_TEXT);
    assertSuccess(await withToken(server, 'POST', '/api/v1/posts', r2.body.api_token));
  });

  test('419 without the CSRF token, 401 without a session', async () => {
    const web = webClient(server);
    await web.login(site.admin.email, PASSWORD);
    const noCsrf = await web.request('POST', '/user/api-token', { xsrf: false });
    assert.deepEqual([noCsrf.status, noCsrf.body], [419, CSRF_MISMATCH]);
    // A fresh client: a guest session has a CSRF token but no user.
    const guest = webClient(server);
    await guest.csrfCookie();
    const r = await guest.request('POST', '/user/api-token');
    assert.equal(r.status, 401, r.text);
    // A Bearer token is not a session here.
    const bearer = await webClient(server).request('POST', '/user/api-token',
      { token: site.admin.token, xsrf: false });
    assert.equal(bearer.status, 419, bearer.text);
  });
});
