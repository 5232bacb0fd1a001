// Seed 000 (WedoCOD): the dashboard session. csrf-cookie, login (fixation,
// validation, the throttle), CSRF (419), /api/user, logout everywhere,
// idle and absolute expiry (the clock moved with LATCHKEY_TEST_CLOCK_OFFSET),
// suspension, and cookie attributes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, cliJson, startServer, withServer } from '../lib/server.mjs';
import {
  addMember, BAD_CREDENTIALS, createAccount, CSRF_MISMATCH, PASSWORD, UNAUTHENTICATED, webClient,
} from '../lib/wedocod.mjs';

const attrs = (line) => line.split(';').slice(1).map((a) => a.trim().toLowerCase());
const cookieLine = (res, name) => res.setCookies.find((l) => l.startsWith(`${name}=`));

describe('wedocod: sessions', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_WEB_LOGIN: '1000/60' });
    createAccount(server, 'acme', 'owner@acme.test');
    addMember(server, 'acme', 'agent@acme.test', 'agent', { name: 'Agent A' });
    createAccount(server, 'beta', 'owner@beta.test');
    cliJson(server.cli, 'member', 'add', '--user', 'agent@acme.test', '--tenant', 'beta', '--role',
      'viewer');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  });

  test('csrf-cookie: 204 and two cookies with the right attributes (no Secure on http)', async () => {
    const web = webClient(server);
    const res = await web.request('GET', '/sanctum/csrf-cookie');
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const session = cookieLine(res, 'latchkey_session');
    const xsrf = cookieLine(res, 'XSRF-TOKEN');
    assert.ok(session && xsrf, res.setCookies.join('\n'));
    for (const a of ['httponly', 'samesite=lax', 'path=/']) assert.ok(attrs(session).includes(a), a);
    assert.ok(attrs(xsrf).includes('samesite=lax') && attrs(xsrf).includes('path=/'));
    assert.ok(!attrs(xsrf).includes('httponly'), 'the SPA reads XSRF-TOKEN');
    assert.ok(!attrs(session).includes('secure') && !attrs(xsrf).includes('secure'));
    assert.ok(attrs(session).some((a) => a === 'max-age=86400'), session);
    const expires = session.match(/; Expires=([^;]+)/)[1];
    assert.match(expires, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const inDay = (Date.parse(expires) - Date.now()) / 1000;
    assert.ok(inDay > 86000 && inDay <= 86401, `Expires in ${inDay} s`);
    assert.match(web.cookie('XSRF-TOKEN'), /^[A-Za-z0-9]{40}$/, 'URL-safe: echoed as is');
    assert.match(web.cookie('latchkey_session'), /^[A-Za-z0-9]{40}$/);

    // Again with the cookies: the same session and the same token.
    const before = { ...Object.fromEntries(web.jar) };
    assert.equal((await web.request('GET', '/sanctum/csrf-cookie')).status, 204);
    assert.deepEqual(Object.fromEntries(web.jar), before);
  });

  test('login: a new session id (fixation), the CSRF token kept, /api/user', async () => {
    const web = webClient(server);
    const token = await web.csrfCookie();
    const guest = web.cookie('latchkey_session');
    assert.deepEqual((await web.request('GET', '/api/user')).body, UNAUTHENTICATED);

    const res = await web.login('Agent@Acme.test');
    assert.equal(res.text, '');
    assert.notEqual(web.cookie('latchkey_session'), guest, 'the session id changes at login');
    assert.equal(web.cookie('XSRF-TOKEN'), token, 'the CSRF token survives the login');

    const me = await web.request('GET', '/api/user');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(Object.keys(me.body),
      ['id', 'name', 'email', 'tenant', 'role', 'permissions', 'tenants', 'staff']);
    assert.equal(me.body.email, 'agent@acme.test');
    assert.equal(me.body.tenant.slug, 'acme', 'the earliest membership');
    assert.deepEqual(Object.keys(me.body.tenant), ['id', 'slug', 'name']);
    assert.deepEqual(me.body.role, { slug: 'agent', name: 'Agent' });
    assert.ok(me.body.permissions.includes('CREATE LEADS'));
    assert.ok(!me.body.permissions.includes('DELETE LEADS'));
    assert.deepEqual(me.body.tenants.map((t) => [t.slug, t.role]), [['acme', 'agent'], ['beta', 'viewer']]);
    assert.equal(me.body.staff, null);

    // The guest cookie is dead: an attacker who planted it gets nothing.
    const planted = await api(server, 'GET', '/api/user',
      { headers: { Cookie: `latchkey_session=${guest}`, Accept: 'application/json' } });
    assert.deepEqual(planted.body, UNAUTHENTICATED);

    // Another of the user's accounts, chosen at login.
    const beta = webClient(server);
    await beta.login('agent@acme.test', PASSWORD, { tenant: 'beta' });
    const meBeta = (await beta.request('GET', '/api/user')).body;
    assert.equal(meBeta.tenant.slug, 'beta');
    assert.equal(meBeta.role.slug, 'viewer');
    const other = webClient(server);
    await other.csrfCookie();
    const notMember = await other.request('POST', '/login',
      { body: { email: 'owner@acme.test', password: PASSWORD, tenant: 'beta' } });
    assert.equal(notMember.status, 403);
    assert.deepEqual(notMember.body, { message: 'You are not a member of this tenant.' });
  });

  test('login: validation and wrong credentials in Laravel\'s words; a form post is redirected', async () => {
    const web = webClient(server);
    await web.csrfCookie();
    const missing = await web.request('POST', '/login', { body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body, {
      message: 'The email field is required. (and 1 more error)',
      errors: { email: ['The email field is required.'], password: ['The password field is required.'] },
    });
    const wrong = await web.request('POST', '/login', { body: { email: 'owner@acme.test', password: 'nope' } });
    assert.equal(wrong.status, 422);
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
    const unknown = await web.request('POST', '/login', { body: { email: 'who@acme.test', password: 'nope' } });
    assert.deepEqual(unknown.body, BAD_CREDENTIALS);

    const form = await web.request('POST', '/login',
      { form: { email: 'owner@acme.test', password: PASSWORD, _token: web.cookie('XSRF-TOKEN') }, xsrf: false });
    assert.equal(form.status, 302);
    assert.equal(form.headers.get('location'), '/');
    assert.equal((await web.request('GET', '/api/user')).body.email, 'owner@acme.test');
  });

  test('419 without the CSRF token, with a wrong one or another session\'s; headers and _token', async () => {
    const web = webClient(server);
    await web.csrfCookie();
    const body = { email: 'owner@acme.test', password: PASSWORD };
    for (const xsrf of [false, 'x'.repeat(40), 'not even close']) {
      const res = await web.request('POST', '/login', { body, xsrf });
      assert.equal(res.status, 419, `xsrf ${xsrf}`);
      assert.deepEqual(res.body, CSRF_MISMATCH);
    }
    const other = webClient(server);
    const otherToken = await other.csrfCookie();
    assert.equal((await web.request('POST', '/login', { body, xsrf: otherToken })).status, 419);
    // No session at all: nothing to match.
    const bare = await api(server, 'POST', '/login',
      { body, headers: { 'X-XSRF-TOKEN': otherToken, Accept: 'application/json' } });
    assert.equal(bare.status, 419);

    // X-CSRF-TOKEN and a JSON _token work like X-XSRF-TOKEN.
    const viaHeader = await web.request('POST', '/login',
      { body, xsrf: false, headers: { 'X-CSRF-TOKEN': web.cookie('XSRF-TOKEN') } });
    assert.equal(viaHeader.status, 204, viaHeader.text);
    const token = web.cookie('XSRF-TOKEN');
    const keys = await web.request('POST', '/settings/api-keys/generate',
      { body: { name: 'k', abilities: ['VIEW LEADS'], _token: token }, xsrf: false });
    assert.equal(keys.status, 201, keys.text);

    // Logged in, a state change still needs the token: 419 before the 422.
    const noToken = await web.request('POST', '/settings/api-keys/generate', { body: {}, xsrf: false });
    assert.deepEqual(noToken.body, CSRF_MISMATCH);
    assert.equal((await web.request('POST', '/logout', { xsrf: false })).status, 419);
    // Reads are never checked.
    assert.equal((await web.request('GET', '/settings/api-keys')).status, 200);

    // Bearer requests are not CSRF-checked: a PAT on /api/user, and a
    // state change with a Bearer token beside a session cookie.
    const pat = keys.body.token;
    const bearer = await api(server, 'GET', '/api/user', { token: pat });
    assert.equal(bearer.status, 200, bearer.text);
    assert.equal(bearer.body.email, 'owner@acme.test');
    const revoke = await web.request('POST', '/api/v1/auth/revoke', { token: pat, xsrf: false });
    assert.equal(revoke.status, 200, revoke.text);
  });

  test('logout: 204, the cookies cleared, the session dead on every instance', async () => {
    const web = webClient(server);
    await web.login('owner@beta.test');
    const cookie = web.cookie('latchkey_session');
    const second = await startServer({ LATCHKEY_DATABASE_URL: server.env.LATCHKEY_DATABASE_URL });
    try {
      const onB = await api(second, 'GET', '/api/user', { headers: { Cookie: `latchkey_session=${cookie}` } });
      assert.equal(onB.status, 200, 'any instance serves the session');
      const out = await web.request('POST', '/logout');
      assert.equal(out.status, 204, out.text);
      const cleared = cookieLine(out, 'latchkey_session');
      assert.ok(cleared && attrs(cleared).includes('max-age=0'), out.setCookies.join('\n'));
      assert.ok(attrs(cookieLine(out, 'XSRF-TOKEN')).includes('max-age=0'));
      for (const s of [server, second]) {
        const res = await api(s, 'GET', '/api/user', { headers: { Cookie: `latchkey_session=${cookie}` } });
        assert.deepEqual(res.body, UNAUTHENTICATED);
      }
      // A form post gets the same 204.
      await web.login('owner@beta.test');
      const formOut = await web.request('POST', '/logout', { form: { _token: web.cookie('XSRF-TOKEN') },
        xsrf: false });
      assert.equal(formOut.status, 204, formOut.text);
      // A guest session cannot log out (it is not logged in).
      await web.csrfCookie();
      assert.deepEqual((await web.request('POST', '/logout')).body, UNAUTHENTICATED);
    } finally {
      await second.stop();
    }
  });

  test('suspending the member or the user ends their sessions at once', async () => {
    addMember(server, 'acme', 'sus@acme.test', 'agent');
    const web = webClient(server);
    await web.login('sus@acme.test');
    cliJson(server.cli, 'member', 'set-status', '--user', 'sus@acme.test', '--tenant', 'acme',
      '--status', 'suspended');
    const refused = await web.request('GET', '/api/user');
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { message: 'Your membership in this tenant has been suspended.' });
    cliJson(server.cli, 'member', 'set-status', '--user', 'sus@acme.test', '--tenant', 'acme',
      '--status', 'active');
    assert.deepEqual((await web.request('GET', '/api/user')).body, UNAUTHENTICATED,
      'the session was deleted, not paused');

    const web2 = webClient(server);
    await web2.login('sus@acme.test');
    cliJson(server.cli, 'user', 'set-status', '--email', 'sus@acme.test', '--status', 'suspended');
    assert.deepEqual((await web2.request('GET', '/api/user')).body,
      { message: 'Your account has been suspended.' });
    cliJson(server.cli, 'user', 'set-status', '--email', 'sus@acme.test', '--status', 'active');
    assert.equal((await web2.request('GET', '/api/user')).status, 401);
  });
});

describe('wedocod: the login throttle', () => {
  test('5 failures per email and IP a minute, then 429 with Retry-After; a success clears it', async () => {
    await withServer({}, async (server) => {
      createAccount(server, 'acme', 'owner@acme.test');
      const web = webClient(server);
      await web.csrfCookie();
      const fail = () => web.request('POST', '/login', { body: { email: 'OWNER@acme.test', password: 'bad' } });
      for (let i = 0; i < 4; i++) assert.equal((await fail()).status, 422);
      // A success clears the count (Breeze's RateLimiter::clear).
      await web.login('owner@acme.test');
      for (let i = 0; i < 5; i++) assert.equal((await fail()).status, 422, `failure ${i + 1}`);
      const locked = await fail();
      assert.equal(locked.status, 429);
      const secs = Number(locked.headers.get('retry-after'));
      assert.ok(secs >= 1 && secs <= 60, `Retry-After ${secs}`);
      const msg = `Too many login attempts. Please try again in ${secs} seconds.`;
      assert.deepEqual(locked.body, { message: msg, errors: { email: [msg] } });
      // Even the right password waits; another email is not affected.
      assert.equal((await web.request('POST', '/login',
        { body: { email: 'owner@acme.test', password: PASSWORD } })).status, 429);
      assert.equal((await web.request('POST', '/login',
        { body: { email: 'other@acme.test', password: 'bad' } })).status, 422);
    });
  });
});

describe('wedocod: expiry without waiting', () => {
  test('idle: 120 minutes without a request ends the session; use keeps it', async () => {
    await withServer({}, async (server) => {
      createAccount(server, 'acme', 'owner@acme.test');
      const web = webClient(server);
      await web.login('owner@acme.test');
      const used = webClient(server);
      await used.login('owner@acme.test');
      await server.stop({ keep: true });
      await withServer({ LATCHKEY_TEST_CLOCK_OFFSET: String(110 * 60) }, { dir: server.dir }, async (s) => {
        used.server = s;
        assert.equal((await used.request('GET', '/api/user')).status, 200, 'seen after 110 minutes');
      });
      await withServer({ LATCHKEY_TEST_CLOCK_OFFSET: String(125 * 60) }, { dir: server.dir }, async (s) => {
        web.server = s;
        used.server = s;
        assert.deepEqual((await web.request('GET', '/api/user')).body, UNAUTHENTICATED, 'idle for 125 minutes');
        assert.equal((await used.request('GET', '/api/user')).status, 200, 'idle for 15 minutes only');
      });
    });
  });

  test('absolute: LATCHKEY_SESSION_LIFETIME_MINUTES after the login, however busy', async () => {
    const env = { LATCHKEY_SESSION_LIFETIME_MINUTES: '60', LATCHKEY_SESSION_IDLE_MINUTES: '600' };
    await withServer(env, async (server) => {
      createAccount(server, 'acme', 'owner@acme.test');
      const web = webClient(server);
      await web.login('owner@acme.test');
      const set = cookieLine(await web.request('GET', '/sanctum/csrf-cookie'), 'latchkey_session');
      assert.ok(attrs(set).includes('max-age=3600'), set);
      await server.stop({ keep: true });
      await withServer({ ...env, LATCHKEY_TEST_CLOCK_OFFSET: String(59 * 60) }, { dir: server.dir }, async (s) => {
        web.server = s;
        assert.equal((await web.request('GET', '/api/user')).status, 200);
      });
      await withServer({ ...env, LATCHKEY_TEST_CLOCK_OFFSET: String(61 * 60) }, { dir: server.dir }, async (s) => {
        web.server = s;
        assert.deepEqual((await web.request('GET', '/api/user')).body, UNAUTHENTICATED);
      });
    });
  });
});

describe('wedocod: cookies on an https public URL', () => {
  test('both cookies are Secure', async () => {
    await withServer({ LATCHKEY_PUBLIC_URL: 'https://dash.example.test' }, async (server) => {
      const res = await webClient(server).request('GET', '/sanctum/csrf-cookie');
      assert.ok(attrs(cookieLine(res, 'latchkey_session')).includes('secure'));
      assert.ok(attrs(cookieLine(res, 'XSRF-TOKEN')).includes('secure'));
    });
  });
});
