// Issue 16, item 8: a new password found in the common-password list
// (zxcvbn's 30,000, case-insensitively), one character repeated, or equal to
// the account's email, its local part or the name is refused with a 422 on
// the password field, everywhere a password is set: AutoCom register,
// change-password and invitation accept, the admin API's user create and
// reset, WedoCOD's reset, and the CLI. LATCHKEY_PASSWORD_BREACHED_CHECK=off
// turns the list off.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, startAdminServer } from '../lib/admin.mjs';
import { call, register, registration, registerOk, loginOk } from '../lib/autocom.mjs';
import { api, withServer } from '../lib/server.mjs';
import { findLink, messageReader, startSmtpSink } from '../lib/smtp.mjs';
import { createAccount, addMember as addWedocodMember, webClient } from '../lib/wedocod.mjs';

const LEAKED = 'The given password has appeared in a data leak. Please choose a different password.';
const PERSONAL = 'The password must not be your email address or your name.';
// In the list: "12345678", "password1", "qwertyuiop"; "Password1" matches
// case-insensitively; "aaaaaaaa" is one character repeated.
const COMMON = ['12345678', 'Password1', 'qwertyuiop', 'aaaaaaaa'];
const STRONG = 'Kv8-unlisted-Zt4';

describe('weak new passwords are refused', () => {
  let sink;
  let server;
  let ownerPassword;
  let nextMessage;

  before(async () => {
    sink = await startSmtpSink();
    nextMessage = messageReader(sink);
    ({ server, ownerPassword } = await startAdminServer(sink.env({
      LATCHKEY_PUBLIC_URL: 'https://auth.example.test', LATCHKEY_RATE_WEB_PASSWORD: '1000/60',
    })));
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.stop();
  }, { timeout: 30000 });

  test('AutoCom register: common and personal passwords', async () => {
    const cases = [...COMMON.map((pw) => [pw, LEAKED]), ['weakcoowner@shop.test', PERSONAL],
      ['WEAKCOOWNER', PERSONAL], ['John Doe', PERSONAL]];
    for (const [pw, msg] of cases) {
      const res = await register(server, registration('weak-co', 'weakcoowner@shop.test',
        { admin_password: pw, admin_password_confirmation: pw }));
      assert.equal(res.status, 422, `${pw}: ${res.text}`);
      assert.deepEqual(res.body.errors, { admin_password: [msg] }, pw);
    }
    await registerOk(server, 'weak-co', 'weakcoowner@shop.test',
      { admin_password: STRONG, admin_password_confirmation: STRONG });
  });

  test('AutoCom change-password', async () => {
    await registerOk(server, 'change-co', 'changer@shop.test');
    const { token } = await loginOk(server, 'change-co', 'changer@shop.test');
    for (const [pw, msg] of [['password1', LEAKED], ['Changer@Shop.test', PERSONAL]]) {
      const res = await call(server, 'POST', '/api/v1/auth/change-password', token,
        { tenant: 'change-co', body: { current_password: 'securepass123', password: pw,
          password_confirmation: pw } });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors, { password: [msg] });
    }
    const ok = await call(server, 'POST', '/api/v1/auth/change-password', token,
      { tenant: 'change-co', body: { current_password: 'securepass123', password: STRONG,
        password_confirmation: STRONG } });
    assert.equal(ok.status, 200, ok.text);
  });

  test('AutoCom invitation accept', async () => {
    await registerOk(server, 'invite-co', 'boss@invite.test');
    const { token } = await loginOk(server, 'invite-co', 'boss@invite.test');
    const roles = await call(server, 'GET', '/api/v1/team/roles', token, { tenant: 'invite-co' });
    const agent = roles.body.roles.find((r) => r.slug === 'agent').id;
    const inv = await call(server, 'POST', '/api/v1/team/invite', token,
      { tenant: 'invite-co', body: { email: 'newbie@invite.test', role_id: agent } });
    assert.equal(inv.status, 201, inv.text);
    const link = findLink((await nextMessage('newbie@invite.test')).text, '/invitations/accept');
    const t = link.searchParams.get('token');
    const accept = (name, pw) => api(server, 'POST', '/api/v1/invitations/accept',
      { body: { token: t, name, password: pw, password_confirmation: pw } });
    for (const [name, pw, msg] of [['New Bie', '12345678', LEAKED],
      ['New Bie', 'newbie@invite.test', PERSONAL], ['Newbie Smith', 'newbie smith', PERSONAL]]) {
      const res = await accept(name, pw);
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors, { password: [msg] });
    }
    const ok = await accept('New Bie', STRONG);
    assert.equal(ok.status, 200, ok.text);
  });

  test('admin API: user create and password reset', async () => {
    const { token } = await adminLoginOk(server, 'owner@admin.test', ownerPassword);
    const create = (pw) => api(server, 'POST', '/admin/users', { token,
      body: { first_name: 'Margaret Grace', email: 'gracehopper@admin.test', password: pw } });
    for (const [pw, msg] of [['qwertyuiop', LEAKED], ['gracehopper', PERSONAL],
      ['MARGARET GRACE', PERSONAL]]) {
      const res = await create(pw);
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors, { password: [msg] });
    }
    assert.equal((await create(STRONG)).status, 201);

    assert.equal((await api(server, 'POST', '/admin/auth/forgot-password',
      { body: { email: 'owner@admin.test' } })).status, 200);
    const link = findLink((await nextMessage('owner@admin.test')).text, '/admin/reset-password');
    const reset = (pw) => api(server, 'POST', '/admin/auth/reset-password', { body: {
      token: link.searchParams.get('token'), email: 'owner@admin.test', password: pw,
      password_confirmation: pw } });
    for (const [pw, msg] of [['password1', LEAKED], ['owner@admin.test', PERSONAL]]) {
      const res = await reset(pw);
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors, { password: [msg] });
    }
    assert.equal((await reset(STRONG)).status, 200);
  });

  test('WedoCOD reset-password', async () => {
    createAccount(server, 'wedo', 'wowner@wedo.test');
    addWedocodMember(server, 'wedo', 'ada@wedo.test', 'agent', { name: 'Ada' });
    const guest = webClient(server);
    await guest.csrfCookie();
    const sent = await guest.request('POST', '/reset-password', { body: { email: 'ada@wedo.test' } });
    assert.equal(sent.status, 200, sent.text);
    const link = findLink((await nextMessage('ada@wedo.test')).text, '/reset-password/');
    const token = link.pathname.split('/').pop();
    for (const [pw, msg] of [['12345678', LEAKED], ['ada@wedo.test', PERSONAL]]) {
      const res = await guest.request('POST', '/reset-password', { body: { token,
        email: 'ada@wedo.test', password: pw, password_confirmation: pw } });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors, { password: [msg] });
    }
  });

  test('CLI user create', () => {
    const r = server.cli('user', 'create', '--email', 'cli@admin.test', '--name', 'Cli User',
      '--password', 'Password1');
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /appeared in a data leak/);
    const p = server.cli('user', 'create', '--email', 'cli@admin.test', '--name', 'Cli User',
      '--password', 'cli@admin.test');
    assert.equal(p.status, 2);
    assert.match(p.stderr, /email address or your name/);
  });
});

test('LATCHKEY_PASSWORD_BREACHED_CHECK=off turns the list off, not the personal rule',
  { timeout: 60000 }, async () => {
    await withServer({ LATCHKEY_PASSWORD_BREACHED_CHECK: 'off' }, async (server) => {
      let res = await register(server, registration('off-co2', 'off2@shop.test',
        { admin_password: '12345678', admin_password_confirmation: '12345678' }));
      assert.equal(res.status, 201, res.text);
      res = await register(server, registration('off-co3', 'off3@shop.test',
        { admin_password: 'off3@shop.test', admin_password_confirmation: 'off3@shop.test' }));
      assert.equal(res.status, 422, res.text);
    });
  });
