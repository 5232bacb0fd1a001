// Issue 16, item 7: every single-use transition is one conditional update
// that exactly one caller wins. N identical requests are sent at once; on
// PostgreSQL (where the transactions really overlap) and on SQLite exactly
// one of them succeeds and the others are refused.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, createStaff, STAFF_PASSWORD, startAdminServer } from '../lib/admin.mjs';
import { api } from '../lib/server.mjs';
import { findLink, messageReader, startSmtpSink } from '../lib/smtp.mjs';
import { makeTeam, teamCall } from '../lib/team.mjs';

const N = 12;
const ROUNDS = 3;
const PUBLIC_URL = 'https://auth.example.test';

// Sends fn() N times at once; returns the statuses.
async function burst(fn) {
  const all = await Promise.all(Array.from({ length: N }, () => fn()));
  return all.map((r) => r.status);
}

function assertOneWinner(statuses, okStatus, what) {
  const wins = statuses.filter((s) => s === okStatus).length;
  assert.equal(wins, 1, `${what}: exactly one ${okStatus} among ${statuses.join(',')}`);
  assert.ok(statuses.every((s) => s === okStatus || (s >= 400 && s < 500)),
    `${what}: the losers are refused with a 4xx: ${statuses.join(',')}`);
}

describe('single-use transitions under concurrency', () => {
  let sink;
  let server;
  let nextMessage;

  before(async () => {
    sink = await startSmtpSink();
    nextMessage = messageReader(sink);
    ({ server } = await startAdminServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL })));
    createStaff(server, 'racer@admin.test', 'support', { name: 'Race Runner' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.stop();
  }, { timeout: 30000 });

  test('admin token refresh: one of N concurrent refreshes gets a token', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { token } = await adminLoginOk(server, 'racer@admin.test', STAFF_PASSWORD);
      const res = await Promise.all(Array.from({ length: N },
        () => api(server, 'POST', '/admin/auth/refresh', { token })));
      assertOneWinner(res.map((r) => r.status), 200, `refresh round ${round}`);
      const fresh = res.find((r) => r.status === 200).body.data.token.access_token;
      assert.equal((await api(server, 'GET', '/admin/auth/me', { token: fresh })).status, 200);
      assert.equal((await api(server, 'GET', '/admin/auth/me', { token })).status, 401);
    }
  });

  test('password reset: one of N concurrent resets with one token succeeds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // One address per round: forgot-password mails an address once a minute.
      const email = `resetter${round}@admin.test`;
      createStaff(server, email, 'support', { name: `Reset Runner ${round}` });
      const forgot = await api(server, 'POST', '/admin/auth/forgot-password', { body: { email } });
      assert.equal(forgot.status, 200, forgot.text);
      const link = findLink((await nextMessage(email)).text, '/admin/reset-password');
      const token = link.searchParams.get('token');
      const password = `Race-Reset-${round}-Kq7vW2`;
      const statuses = await burst(() => api(server, 'POST', '/admin/auth/reset-password', {
        body: { token, email, password, password_confirmation: password },
      }));
      assertOneWinner(statuses, 200, `reset round ${round}`);
      await adminLoginOk(server, email, password);
    }
  });

  test('invitation accept: one of N concurrent accepts makes a member', async () => {
    const team = await makeTeam(server, 'race-co', 'owner@race.test');
    for (let round = 0; round < ROUNDS; round++) {
      const email = `invitee${round}@race.test`;
      const inv = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
        { email, role_id: team.roles.manager });
      assert.equal(inv.status, 201, inv.text);
      const link = findLink((await nextMessage(email)).text, '/invitations/accept');
      const token = link.searchParams.get('token');
      const statuses = await burst(() => api(server, 'POST', '/api/v1/invitations/accept', {
        body: { token, name: `Invitee ${round}`, password: `Invitee-${round}-Xr8pL3m`,
          password_confirmation: `Invitee-${round}-Xr8pL3m` },
      }));
      const wins = statuses.filter((s) => s === 200 || s === 201).length;
      assert.equal(wins, 1, `accept round ${round}: exactly one success among ${statuses}`);
      assert.ok(statuses.every((s) => s < 500), `no 5xx: ${statuses}`);
      const members = await teamCall(server, 'GET', '/api/v1/team?per_page=100', team.owner, team);
      assert.equal(members.status, 200, members.text);
      assert.equal(members.body.data.filter((m) => m.email === email).length, 1,
        `one membership for ${email}: ${members.text}`);
    }
  });
});
