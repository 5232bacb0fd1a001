// The SMTP mail driver against a real SMTP server (aiosmtpd): AUTH from the
// URL, STARTTLS and implicit TLS with certificate checks, retries with
// backoff while the server is down, permanent failures, and a bounded stop.
// Password-reset emails are the messages sent.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertOk, createStaff, startAdminServer } from '../lib/admin.mjs';
import { findLink, makeCert, startSmtpSink } from '../lib/smtp.mjs';
import { api, freePort, sleep, syncLog, waitFor, waitForLog } from '../lib/server.mjs';

const forgot = (server, email) => api(server, 'POST', '/admin/auth/forgot-password', { body: { email } });

describe('mail: the SMTP driver', () => {
  const cleanups = [];
  let certDir;
  let cert;

  before(() => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cert-'));
    cert = makeCert(certDir);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    fs.rmSync(certDir, { recursive: true, force: true });
  }, { timeout: 60000 });

  // A server whose mail goes to smtpEnv; a staff member to send resets to.
  async function serverWith(smtpEnv, email = 'mail@admin.test') {
    const { server } = await startAdminServer(smtpEnv);
    cleanups.push(() => server.stop());
    createStaff(server, email, 'support');
    return server;
  }

  test('AUTH with the credentials of the URL (plain SMTP on loopback, TLS off)', async () => {
    const sink = await startSmtpSink({ auth: 'mailer:s3cret pass' });
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env());
    assertOk(await forgot(server, 'mail@admin.test'));
    const msg = await sink.waitForMessage({ to: 'mail@admin.test' });
    assert.equal(msg.envelope.auth_user, 'mailer');
    assert.ok(findLink(msg.text, '/admin/reset-password'));
    const sent = await waitFor(() => server.stderr().includes('mail event=sent driver=smtp'));
    assert.ok(sent, server.stderr());
    await syncLog(server);
    assert.ok(!server.stderr().includes('s3cret'), 'the SMTP password is never logged');
  });

  test('wrong credentials are a permanent failure: logged and dropped, never retried', async () => {
    const sink = await startSmtpSink({ auth: 'mailer:right' });
    cleanups.push(() => sink.stop());
    const url = `smtp://mailer:wrong@127.0.0.1:${sink.port}`;
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_URL: url }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const dropped = await waitFor(() => server.stderr().includes('reason=permanent_failure'));
    assert.ok(dropped, server.stderr());
    await syncLog(server);
    assert.ok(!server.stderr().includes('event=retry'));
    assert.equal(sink.messages().length, 0);
    assert.ok(!server.stderr().includes(':wrong@'), 'the URL is never logged');
  });

  test('STARTTLS with AUTH, the certificate checked against LATCHKEY_SMTP_CA_FILE', async () => {
    const sink = await startSmtpSink({ auth: 'mailer:pw', starttls: cert });
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_CA_FILE: cert.cert }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const msg = await sink.waitForMessage({ to: 'mail@admin.test' });
    assert.equal(msg.envelope.tls, true);
    assert.equal(msg.envelope.auth_user, 'mailer');
  });

  test('an untrusted certificate is refused (the system CAs do not know it)', async () => {
    const sink = await startSmtpSink({ starttls: cert });
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_TLS: 'require', LATCHKEY_MAIL_RETRIES: '1' }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const dropped = await waitFor(() => server.stderr().includes('event=dropped'), { timeoutMs: 10000 });
    assert.ok(dropped, server.stderr());
    assert.equal(sink.messages().length, 0);
  });

  test('smtps:// (implicit TLS)', async () => {
    const sink = await startSmtpSink({ tls: cert });
    cleanups.push(() => sink.stop());
    assert.match(sink.url, /^smtps:\/\//);
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_CA_FILE: cert.cert }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const msg = await sink.waitForMessage({ to: 'mail@admin.test' });
    assert.equal(msg.envelope.tls, true);
  });

  test('LATCHKEY_SMTP_TLS=require never sends in plaintext', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_TLS: 'require', LATCHKEY_MAIL_RETRIES: '1' }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const dropped = await waitFor(() => server.stderr().includes('event=dropped'), { timeoutMs: 10000 });
    assert.ok(dropped, server.stderr());
    assert.equal(sink.messages().length, 0);
  });

  test('credentials in the URL demand TLS unless LATCHKEY_SMTP_TLS=off', async () => {
    const sink = await startSmtpSink({ auth: 'mailer:pw' });
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env({ LATCHKEY_SMTP_TLS: 'auto', LATCHKEY_MAIL_RETRIES: '0' }));
    assertOk(await forgot(server, 'mail@admin.test'));
    const dropped = await waitFor(() => server.stderr().includes('event=dropped'), { timeoutMs: 10000 });
    assert.ok(dropped, server.stderr());
    assert.equal(sink.messages().length, 0);
  });

  test('a server that is down: retried with backoff, delivered once it is up', async () => {
    const port = await freePort();
    const server = await serverWith({
      LATCHKEY_MAIL_DRIVER: 'smtp',
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}`,
      LATCHKEY_SMTP_TLS: 'off',
      LATCHKEY_MAIL_BACKOFF_MS: '200',
      LATCHKEY_MAIL_RETRIES: '10',
    });
    const t0 = Date.now();
    const res = await forgot(server, 'mail@admin.test');
    assert.ok(Date.now() - t0 < 1000, 'the API does not wait for the mail server');
    assertOk(res);
    const retried = await waitFor(() => server.stderr().includes('mail event=retry'), { timeoutMs: 5000 });
    assert.ok(retried, server.stderr());
    const sink = await startSmtpSink({ port });
    cleanups.push(() => sink.stop());
    const msg = await sink.waitForMessage({ to: 'mail@admin.test', timeoutMs: 20000 });
    assert.ok(findLink(msg.text, '/admin/reset-password'));
    const [line] = await waitForLog(server, 'mail event=sent');
    assert.match(line, /attempts=([2-9]|1\d)/);
  });

  test('a recipient the server refuses (550) is dropped at once', async () => {
    const sink = await startSmtpSink({ rejectRcpt: ['mail@admin.test'] });
    cleanups.push(() => sink.stop());
    const server = await serverWith(sink.env());
    assertOk(await forgot(server, 'mail@admin.test'));
    const dropped = await waitFor(() => server.stderr().includes('reason=permanent_failure'));
    assert.ok(dropped, server.stderr());
    assert.match(server.stderr(), /reply=550/);
  });

  test('SIGTERM with undeliverable mail queued: a last try, then a bounded exit', async () => {
    const port = await freePort();
    const { server } = await startAdminServer({
      LATCHKEY_MAIL_DRIVER: 'smtp',
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}`,
      LATCHKEY_SMTP_TLS: 'off',
      LATCHKEY_MAIL_BACKOFF_MS: '60000',
      LATCHKEY_MAIL_DRAIN_MS: '1000',
    });
    createStaff(server, 'mail@admin.test', 'support');
    assertOk(await forgot(server, 'mail@admin.test'));
    await waitFor(() => server.stderr().includes('mail event=retry'));
    await sleep(100);
    const stopped = await server.stop();
    assert.ok(stopped.ms < 5000, `stopped in ${stopped.ms} ms`);
    assert.match(server.stderr(), /mail event=dropped .*reason=stopping/);
  });
});
