// Seed 000 (WedoCOD): POST /reset-password through a real SMTP server
// (lib/smtp-sink.py): the link mailed to any active user, the form it
// opens, the new password ending every session and key of the user; no
// enumeration, a silent per-address throttle, 429 per IP, bad tokens.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, cliJson, sleep, syncLog, withServer, startServer } from '../lib/server.mjs';
import { findLink, startSmtpSink } from '../lib/smtp.mjs';
import {
  addMember, BAD_CREDENTIALS, createAccount, CSRF_MISMATCH, generateKey, PASSWORD, UNAUTHENTICATED,
  webClient,
} from '../lib/wedocod.mjs';

const PUBLIC_URL = 'https://dash.example.test';
const SENT = { status: 'We have emailed your password reset link.' };
const DONE = { status: 'Your password has been reset.' };
const INVALID = {
  message: 'This password reset token is invalid.',
  errors: { email: ['This password reset token is invalid.'] },
};
const NEW_PASSWORD = 'a brand new password';

describe('wedocod: password reset through real SMTP', () => {
  let sink;
  let server;

  before(async () => {
    sink = await startSmtpSink();
    server = await startServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL,
      LATCHKEY_RATE_WEB_LOGIN: '1000/60', LATCHKEY_RATE_WEB_PASSWORD: '1000/60' }));
    createAccount(server, 'acme', 'owner@acme.test');
    addMember(server, 'acme', 'ada@acme.test', 'agent', { name: 'Ada Lovelace' });
    addMember(server, 'acme', 'bob@acme.test', 'agent', { name: 'Bob' });
    addMember(server, 'acme', 'gone@acme.test', 'agent');
    cliJson(server.cli, 'user', 'set-status', '--email', 'gone@acme.test', '--status', 'inactive');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.stop();
  }, { timeout: 30000 });

  test('the whole flow: email, link, form, new password; every session and key of the user ends', async () => {
    const a = webClient(server);
    await a.login('ada@acme.test');
    const b = webClient(server);
    await b.login('ada@acme.test');
    const key = await generateKey(a, 'ada key', ['VIEW LEADS']);

    const guest = webClient(server);
    await guest.csrfCookie();
    const res = await guest.request('POST', '/reset-password', { body: { email: 'Ada@Acme.test' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, SENT);

    const msg = await sink.waitForMessage({ to: 'ada@acme.test' });
    assert.equal(msg.subject, 'Reset Password Notification');
    const link = findLink(msg.text, '/reset-password/');
    assert.ok(link, msg.text);
    assert.equal(link.origin, PUBLIC_URL);
    const token = link.pathname.slice('/reset-password/'.length);
    assert.match(token, /^[A-Za-z0-9]{64}$/);
    assert.equal(link.searchParams.get('email'), 'ada@acme.test');
    await syncLog(server);
    assert.ok(!server.stderr().includes(token), 'the token is never logged');

    // The link opens the dashboard's reset page (tests/e2e/web/reset-password
    // drives it in Chromium); its script posts back with the CSRF token.
    const browser = webClient(server);
    const page = await browser.request('GET', `${link.pathname}${link.search}`,
      { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(page.text, /Choose a new password/);
    assert.ok(!page.text.includes(token), 'the page itself never holds the token');
    await browser.csrfCookie();

    const form = { token, email: 'ada@acme.test', password: NEW_PASSWORD,
      password_confirmation: NEW_PASSWORD };
    assert.deepEqual((await browser.request('POST', '/reset-password', { body: form, xsrf: false })).body,
      CSRF_MISMATCH, 'the form needs its _token');
    const done = await browser.request('POST', '/reset-password',
      { form: { ...form, _token: browser.cookie('XSRF-TOKEN') }, xsrf: false,
        headers: { Accept: 'application/json' } });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(done.body, DONE);

    for (const web of [a, b]) assert.deepEqual((await web.request('GET', '/api/user')).body, UNAUTHENTICATED);
    assert.deepEqual((await api(server, 'GET', '/api/user', { token: key.token })).body, UNAUTHENTICATED);
    const old = webClient(server);
    await old.csrfCookie();
    assert.deepEqual((await old.request('POST', '/login', { body: { email: 'ada@acme.test', password: PASSWORD } })).body,
      BAD_CREDENTIALS);
    await webClient(server).login('ada@acme.test', NEW_PASSWORD);

    // Single use.
    assert.deepEqual((await browser.request('POST', '/reset-password', { body: form })).body, INVALID);
  });

  test('no enumeration: unknown and inactive addresses get the same answer and no email', async () => {
    const web = webClient(server);
    await web.csrfCookie();
    const before = sink.messages().length;
    for (const email of ['nobody@acme.test', 'gone@acme.test']) {
      const res = await web.request('POST', '/reset-password', { body: { email } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, SENT);
    }
    // Breeze's path is an alias; a known address then proves the queue moved.
    const alias = await web.request('POST', '/forgot-password', { body: { email: 'bob@acme.test' } });
    assert.deepEqual(alias.body, SENT);
    await sink.waitForMessage({ to: 'bob@acme.test', after: before });
    assert.deepEqual(sink.messages().slice(before).map((m) => m.envelope.rcpt_tos[0]), ['bob@acme.test']);

    // One email per address per minute; the answer does not change.
    assert.deepEqual((await web.request('POST', '/reset-password', { body: { email: 'bob@acme.test' } })).body, SENT);
    await sleep(300);
    assert.equal(sink.messages().slice(before).length, 1, 'throttled silently');
  });

  test('bad tokens, another address, validation', async () => {
    const web = webClient(server);
    await web.csrfCookie();
    const good = { email: 'owner@acme.test', password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD };
    for (const token of ['x'.repeat(64), 'short']) {
      const res = await web.request('POST', '/reset-password', { body: { ...good, token } });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, INVALID);
    }
    const before = sink.messages().length;
    await web.request('POST', '/reset-password', { body: { email: 'owner@acme.test' } });
    const msg = await sink.waitForMessage({ to: 'owner@acme.test', after: before });
    const token = findLink(msg.text, '/reset-password/').pathname.split('/').pop();
    assert.deepEqual((await web.request('POST', '/reset-password',
      { body: { ...good, token, email: 'bob@acme.test' } })).body, INVALID, 'sent to another address');
    const mismatch = await web.request('POST', '/reset-password',
      { body: { ...good, token, password_confirmation: 'something else' } });
    assert.equal(mismatch.status, 422);
    assert.deepEqual(mismatch.body.errors, { password: ['The password field confirmation does not match.'] });
    const missing = await web.request('POST', '/reset-password', { body: { token } });
    assert.equal(missing.status, 422);
    assert.deepEqual(Object.keys(missing.body.errors), ['email', 'password', 'password_confirmation']);
    const noEmail = await web.request('POST', '/reset-password', { body: {} });
    assert.deepEqual(noEmail.body, { message: 'The email field is required.',
      errors: { email: ['The email field is required.'] } });
  });
});

describe('wedocod: reset limits', () => {
  test('429 per IP when abused', async () => {
    await withServer({ LATCHKEY_RATE_WEB_PASSWORD: '3/60' }, async (server) => {
      const web = webClient(server);
      await web.csrfCookie();
      for (let i = 0; i < 3; i++) {
        assert.equal((await web.request('POST', '/reset-password', { body: { email: `u${i}@x.test` } })).status, 200);
      }
      const res = await web.request('POST', '/reset-password', { body: { email: 'u9@x.test' } });
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      assert.equal((await web.request('POST', '/forgot-password', { body: { email: 'u9@x.test' } })).status, 429);
    });
  });

  test('expired after 60 minutes', async () => {
    const sink = await startSmtpSink();
    try {
      await withServer(sink.env({}), async (server) => {
        createAccount(server, 'acme', 'owner@acme.test');
        const web = webClient(server);
        await web.csrfCookie();
        await web.request('POST', '/reset-password', { body: { email: 'owner@acme.test' } });
        const msg = await sink.waitForMessage({ to: 'owner@acme.test' });
        const token = findLink(msg.text, '/reset-password/').pathname.split('/').pop();
        await server.stop({ keep: true });
        await withServer(sink.env({ LATCHKEY_TEST_CLOCK_OFFSET: '3610' }), { dir: server.dir }, async (s) => {
          const late = webClient(s);
          await late.csrfCookie();
          const res = await late.request('POST', '/reset-password', { body: { token, email: 'owner@acme.test',
            password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD } });
          assert.deepEqual(res.body, INVALID);
        });
      });
    } finally {
      await sink.stop();
    }
  });
});
