// Seed 001: forgot-password and reset-password, end to end through a real
// SMTP server (tests/e2e/lib/smtp-sink.py): the link is read out of the
// delivered message. Also: no enumeration, one email per address per minute,
// every way a token can be bad, and the default outbox driver.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN_TEST_ENV, adminLogin, adminLoginOk, assertFail, assertOk, BAD_CREDENTIALS, createStaff,
  OWNER_EMAIL, STAFF_PASSWORD, startAdminServer, UNAUTHENTICATED,
} from '../lib/admin.mjs';
import { createTenant, createUser, loginOk } from '../lib/fixtures.mjs';
import { findLink, startSmtpSink } from '../lib/smtp.mjs';
import { api, BACKEND, cliJson, sleep, startServer, syncLog, waitFor, withServer } from '../lib/server.mjs';

const FORGOT = '/admin/auth/forgot-password';
const RESET = '/admin/auth/reset-password';
const SENT = {
  success: true,
  data: {},
  message: 'If an account with that email address exists, we have emailed a password reset link.',
};
const INVALID_TOKEN = {
  success: false,
  message: 'This password reset token is invalid.',
  errors: { email: ['This password reset token is invalid.'] },
};
const PUBLIC_URL = 'https://auth.example.test';

const forgot = (server, email) => api(server, 'POST', FORGOT, { body: { email } });
const reset = (server, body) => api(server, 'POST', RESET, { body });

// Reads {token, email, link} out of the message sent to `to`.
async function resetLinkFor(sink, to, after = 0) {
  const msg = await sink.waitForMessage({ to, after });
  const link = findLink(msg.text, '/admin/reset-password');
  assert.ok(link, `the text part has the reset link:\n${msg.text}`);
  return { msg, link, token: link.searchParams.get('token'), email: link.searchParams.get('email') };
}

describe('admin: password reset through real SMTP', () => {
  let sink;
  let server;

  before(async () => {
    sink = await startSmtpSink();
    ({ server } = await startAdminServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL,
      LATCHKEY_MAIL_FROM: 'no-reply@latchkey.test', LATCHKEY_MAIL_FROM_NAME: 'Latchkey Admin' })));
    createTenant(server, 'acme');
    createStaff(server, 'ada@admin.test', 'manager', { name: 'Ada Lovelace' });
    cliJson(server.cli, 'member', 'add', '--user', 'ada@admin.test', '--tenant', 'acme', '--role', 'agent');
    createStaff(server, 'grace@admin.test', 'support', { name: 'Grace Hopper' });
    createStaff(server, 'linus@admin.test', 'developer', { name: 'Linus T' });
    createStaff(server, 'ken@admin.test', 'developer', { name: 'Ken T' });
    createUser(server, 'member@acme.test', { tenant: 'acme', role: 'owner' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.stop();
  }, { timeout: 30000 });

  test('the whole flow: email, link, new password; every old token and session dies', async () => {
    const admin = await adminLoginOk(server, 'ada@admin.test', STAFF_PASSWORD);
    const travel = (await loginOk(server, 'ada@admin.test', STAFF_PASSWORD)).token;

    const res = await forgot(server, 'Ada@Admin.test');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, SENT);

    const { msg, link, token, email } = await resetLinkFor(sink, 'ada@admin.test');
    assert.deepEqual(msg.envelope.rcpt_tos, ['ada@admin.test']);
    assert.equal(msg.envelope.mail_from, 'no-reply@latchkey.test');
    assert.equal(msg.headers.from, 'Latchkey Admin <no-reply@latchkey.test>');
    assert.equal(msg.headers.to, 'Ada Lovelace <ada@admin.test>');
    assert.equal(msg.subject, 'Reset Password Notification');
    assert.match(msg.headers['content-type'], /^multipart\/alternative; boundary=/);
    assert.equal(`${link.origin}${link.pathname}`, `${PUBLIC_URL}/admin/reset-password`);
    assert.match(token, /^[A-Za-z0-9]{64}$/);
    assert.equal(email, 'ada@admin.test');
    assert.match(msg.text, /Hello Ada,/);
    assert.match(msg.text, /expire in 60 minutes/);
    assert.ok(msg.html.includes(link.href.replace(/&/g, '&amp;')), 'the HTML part has the same link');
    await syncLog(server);
    assert.ok(!server.stderr().includes(token), 'the token is never logged');

    // The link opens a form that posts to reset-password.
    const page = await api(server, 'GET', `${link.pathname}${link.search}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(page.text.includes(`name="token" value="${token}"`));
    assert.ok(page.text.includes('action="/admin/auth/reset-password"'));

    const done = await reset(server, { token, email, password: 'brand-new-password',
      password_confirmation: 'brand-new-password' });
    assert.deepEqual(done.body, { success: true, data: {}, message: 'Your password has been reset.' });
    assert.equal(done.status, 200);

    assert.deepEqual((await api(server, 'GET', '/admin/auth/me', { token: admin.token })).body,
      UNAUTHENTICATED, 'the admin token is revoked');
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: travel })).status, 401,
      'the travel token is revoked too');
    assert.deepEqual((await adminLogin(server, 'ada@admin.test', STAFF_PASSWORD)).body, BAD_CREDENTIALS);
    const again = await adminLoginOk(server, 'ada@admin.test', 'brand-new-password');
    assert.equal(again.user.email, 'ada@admin.test');

    // Single use.
    assert.deepEqual((await reset(server, { token, email, password: 'another-password-1',
      password_confirmation: 'another-password-1' })).body, INVALID_TOKEN);

    // Audited, without secrets.
    const log = assertOk(await api(server, 'GET',
      `/admin/audit-logs?action=password.*&user_id=${again.user.id}`, { token: again.token })).audit_logs;
    const actions = log.map((e) => e.action);
    assert.ok(actions.includes('password.reset'), actions.join());
    assert.ok(actions.includes('password.reset_requested'));
    assert.ok(!JSON.stringify(log).includes(token));
  });

  test('the same answer for staff, non-staff and unknown addresses; only staff get mail', async () => {
    const before = sink.messages().length;
    const answers = [];
    for (const email of ['grace@admin.test', 'member@acme.test', 'ghost@nowhere.test']) {
      const r = await forgot(server, email);
      answers.push({ status: r.status, text: r.text });
    }
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
    assert.deepEqual(JSON.parse(answers[0].text), SENT);
    await sink.waitForMessage({ to: 'grace@admin.test', after: before });
    await sleep(500);
    const got = sink.messages().slice(before).flatMap((m) => m.envelope.rcpt_tos);
    assert.deepEqual(got, ['grace@admin.test']);
  });

  test('no timing difference between addresses that get an email and unknown ones', async () => {
    // Staff addresses that each really get an email, against unknown ones,
    // alternated; compare medians.
    const n = 30;
    for (let i = 0; i < n; i++) createStaff(server, `timing${i}@admin.test`, 'developer');
    // The synchronous CLI calls above block this event loop, on a loaded
    // machine for longer than the server's idle timeout: let the client see
    // the kept-alive connection the server closed meanwhile before reusing it.
    await sleep(100);
    const known = [];
    const unknown = [];
    const time = async (email) => {
      const t0 = process.hrtime.bigint();
      const r = await forgot(server, email);
      assert.equal(r.status, 200);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let i = 0; i < 5; i++) await time(`warm${i}@nowhere.test`);
    const before = sink.messages().length;
    for (let i = 0; i < n; i++) {
      const pair = [[known, `timing${i}@admin.test`], [unknown, `nobody${i}@nowhere.test`]];
      if (i % 2) pair.reverse();
      for (const [list, email] of pair) list.push(await time(email));
    }
    const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
    const mk = median(known);
    const mu = median(unknown);
    console.log(`# forgot-password median: staff ${mk.toFixed(3)} ms, unknown ${mu.toFixed(3)} ms`);
    assert.ok(Math.abs(mk - mu) < 2 + 0.5 * Math.min(mk, mu),
      `median staff ${mk.toFixed(3)} ms vs unknown ${mu.toFixed(3)} ms`);
    await waitFor(() => sink.messages().length >= before + n, { timeoutMs: 15000 });
    assert.equal(sink.messages().length - before, n, 'each staff address got its email');
  });

  test('one email per address per minute, silently', async () => {
    const before = sink.messages().length;
    assert.deepEqual((await forgot(server, 'ken@admin.test')).body, SENT);
    const first = await resetLinkFor(sink, 'ken@admin.test', before);
    assert.deepEqual((await forgot(server, 'ken@admin.test')).body, SENT, 'the same answer');
    await sleep(700);
    const to = sink.messages().slice(before).filter((m) => m.envelope.rcpt_tos.includes('ken@admin.test'));
    assert.equal(to.length, 1, 'no second email within the minute');
    // The first link still works.
    assertOk(await reset(server, { token: first.token, email: 'ken@admin.test',
      password: 'kens-new-password', password_confirmation: 'kens-new-password' }));
  });

  test('a wrong token, another address, or a used token: 422, one message', async () => {
    createStaff(server, 'tim@admin.test', 'developer');
    const before = sink.messages().length;
    await forgot(server, 'tim@admin.test');
    const { token } = await resetLinkFor(sink, 'tim@admin.test', before);
    const pw = { password: 'tims-new-password', password_confirmation: 'tims-new-password' };
    assert.deepEqual((await reset(server, { token: 'x'.repeat(64), email: 'tim@admin.test', ...pw })).body,
      INVALID_TOKEN);
    const other = await reset(server, { token, email: 'grace@admin.test', ...pw });
    assert.equal(other.status, 422);
    assert.deepEqual(other.body, INVALID_TOKEN);
    assert.deepEqual((await reset(server, { token, email: 'nobody@admin.test', ...pw })).body, INVALID_TOKEN);
    // Grace's password did not change.
    await adminLoginOk(server, 'grace@admin.test', STAFF_PASSWORD);
    assertOk(await reset(server, { token, email: 'TIM@admin.test', ...pw }));
    assert.deepEqual((await reset(server, { token, email: 'tim@admin.test', ...pw })).body, INVALID_TOKEN);
  });

  test('validation: 422 for missing fields, a short password, a mismatched confirmation', async () => {
    const empty = await reset(server, {});
    assertFail(empty, 422);
    assert.deepEqual(Object.keys(empty.body.errors).sort(), ['email', 'password', 'token']);
    const short = await reset(server, { token: 't', email: 'a@b.co', password: 'short',
      password_confirmation: 'short' });
    assert.deepEqual(short.body.errors, { password: ['The password field must be at least 8 characters.'] });
    const mismatch = await reset(server, { token: 't', email: 'a@b.co', password: 'long-enough-1',
      password_confirmation: 'long-enough-2' });
    assert.deepEqual(mismatch.body.errors,
      { password: ['The password field confirmation does not match.'] });
    const missingConfirm = await reset(server, { token: 't', email: 'a@b.co', password: 'long-enough-1' });
    assert.deepEqual(missingConfirm.body.errors,
      { password: ['The password field confirmation does not match.'] });
    const badEmail = await forgot(server, 'not an email');
    assertFail(badEmail, 422, 'The email field must be a valid email address.');
    assertFail(await api(server, 'POST', FORGOT, { body: {} }), 422, 'The email field is required.');
  });

  test('a link older than 60 minutes is refused (the clock moved, not waited for)', async () => {
    createStaff(server, 'early@admin.test', 'developer');
    createStaff(server, 'late@admin.test', 'developer');
    const before = sink.messages().length;
    await forgot(server, 'early@admin.test');
    await forgot(server, 'late@admin.test');
    const early = (await resetLinkFor(sink, 'early@admin.test', before)).token;
    const late = (await resetLinkFor(sink, 'late@admin.test', before)).token;
    const pw = { password: 'a-new-password-1', password_confirmation: 'a-new-password-1' };
    // The same database with the server's clock 59 minutes on: still valid.
    await server.stop({ keep: true });
    server = await startServer({ ...ADMIN_TEST_ENV, ...sink.env(),
      LATCHKEY_TEST_CLOCK_OFFSET: String(59 * 60) }, { dir: server.dir });
    assertOk(await reset(server, { token: early, email: 'early@admin.test', ...pw }));
    // 61 minutes on: refused, and the password is unchanged.
    await server.stop({ keep: true });
    server = await startServer({ ...ADMIN_TEST_ENV, ...sink.env(),
      LATCHKEY_TEST_CLOCK_OFFSET: String(61 * 60) }, { dir: server.dir });
    assert.deepEqual((await reset(server, { token: late, email: 'late@admin.test', ...pw })).body,
      INVALID_TOKEN);
    await adminLoginOk(server, 'late@admin.test', STAFF_PASSWORD);
  });

  test('forgot and reset share a throttle of 6 per minute per IP by default', async () => {
    await withServer({ ...sink.env(), LATCHKEY_RATE_ADMIN_PASSWORD: null }, { start: startAdminServer }, async (s) => {
      for (let i = 0; i < 6; i++) {
        const r = i % 2 ? await forgot(s, `x${i}@nowhere.test`)
          : await reset(s, { token: 't', email: 'a@b.co', password: 'long-enough-1',
            password_confirmation: 'long-enough-1' });
        assert.notEqual(r.status, 429, `request ${i + 1}: ${r.text}`);
        assert.equal(r.headers.get('x-ratelimit-limit'), '6');
      }
      assertFail(await forgot(s, 'y@nowhere.test'), 429, 'Too Many Attempts.');
    });
  });
});

describe('admin: password reset with the default outbox (log) driver', () => {
  let server;
  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('the message is a file in the data directory; the log names it, never the link', async () => {
    // On SQLite the default outbox (mail/ beside the database file) is used;
    // PostgreSQL has no data directory, so the harness names one.
    ({ server } = await startAdminServer({ LATCHKEY_MAIL_DRIVER: null, LATCHKEY_SMTP_URL: null,
      ...(BACKEND === 'sqlite' ? { LATCHKEY_MAIL_DIR: null } : {}) }));
    createStaff(server, 'out@admin.test', 'support');
    assertOk(await forgot(server, 'out@admin.test'));
    const outbox = path.join(server.dir, 'mail');
    const files = await waitFor(() => {
      const f = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
      return f.length ? f : null;
    });
    assert.ok(files && files.length === 1, 'one .eml file in <data dir>/mail');
    const file = path.join(outbox, files[0]);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(outbox).mode & 0o777, 0o700);
    const { parseMessage } = await import('../lib/smtp.mjs');
    const msg = parseMessage(fs.readFileSync(file, 'latin1'));
    const link = findLink(msg.text, '/admin/reset-password');
    const token = link.searchParams.get('token');
    assert.match(token, /^[A-Za-z0-9]{64}$/);
    const line = await waitFor(() => server.stderr().split('\n')
      .find((l) => l.includes('mail event=written') && l.includes('to=out@admin.test')));
    assert.ok(line, `a log line names the message:\n${server.stderr()}`);
    assert.ok(line.includes(`file=${file}`), line);
    await syncLog(server);
    assert.ok(!server.stderr().includes(token), 'the token is not in the log');
    assertOk(await reset(server, { token, email: 'out@admin.test', password: 'outbox-password-1',
      password_confirmation: 'outbox-password-1' }));
    await adminLoginOk(server, 'out@admin.test', 'outbox-password-1');
    // The owner's account was not touched by any of this.
    assert.equal((await adminLogin(server, OWNER_EMAIL, 'wrong')).status, 401);
  });
});
