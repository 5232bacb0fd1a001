// Issue #3 for the AutoCom surface (seed 002): two instances over one
// database and one Redis (LATCHKEY_TEST_REDIS_URL, db 5). A JWT issued by
// one is accepted by the other, a logout, a suspension or a role change
// through one holds on the other within 1 s, a key rotated with the CLI is used and trusted by
// both, and the login limit (5/min per IP) counts requests sent to both.
// Skipped without the test Redis.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MEMBERSHIP_SUSPENDED, UNAUTHENTICATED, call, fetchJwks, kidOf, login, loginOk, registerOk,
} from '../lib/autocom.mjs';
import { okJson } from '../lib/cli.mjs';
import { redisCommand, testRedisUrl, withDb } from '../lib/redis.mjs';
import { startPair, within } from '../lib/scale.mjs';
import { addMember, makeTeam, teamCall } from '../lib/team.mjs';
import { waitFor } from '../lib/server.mjs';

const SHARED = testRedisUrl();
const REDIS = SHARED && withDb(SHARED, 5);
const ME = '/api/v1/auth/me';
const TENANT = 'my-store';
const EMAIL = 'john@mystore.com';

const meStatus = (server, token) => async () =>
  (await call(server, 'GET', ME, token, { tenant: TENANT })).status;

describe('scale: AutoCom on two instances', () => {
  if (!REDIS) {
    test('needs LATCHKEY_TEST_REDIS_URL', { skip: 'LATCHKEY_TEST_REDIS_URL unset' }, () => {});
    return;
  }
  let pair;
  let a;
  let b;

  before(async () => {
    await redisCommand(REDIS, 'FLUSHDB');
    pair = await startPair({ LATCHKEY_REDIS_URL: REDIS, LATCHKEY_RATE_LOGIN: '5/60' });
    ({ a, b } = pair);
    await registerOk(a, TENANT, EMAIL);
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  test('a JWT issued by A is accepted by B, and the reverse; one JWKS', async () => {
    const fromA = await loginOk(a, TENANT, EMAIL);
    const onB = await call(b, 'GET', ME, fromA.token, { tenant: TENANT });
    assert.equal(onB.status, 200, onB.text);
    assert.equal(onB.body.email, EMAIL);
    const fromB = await loginOk(b, TENANT, EMAIL);
    assert.equal((await call(a, 'GET', ME, fromB.token, { tenant: TENANT })).status, 200);
    assert.deepEqual(await fetchJwks(a), await fetchJwks(b));
  });

  test('logout on A: B answers 401 within 1 s', async () => {
    const { token } = await loginOk(a, TENANT, EMAIL);
    assert.equal(await meStatus(b, token)(), 200);
    const out = await call(a, 'POST', '/api/v1/auth/logout', token, { tenant: TENANT });
    assert.equal(out.status, 200, out.text);
    const seen = await within(1000, 401, meStatus(b, token));
    assert.ok(seen.ok, `B answered ${seen.last} ${seen.ms} ms after the logout on A`);
    assert.deepEqual((await call(b, 'GET', ME, token, { tenant: TENANT })).body, UNAUTHENTICATED);
  });

  test('membership suspended with the CLI: both answer 403 within 1 s', async () => {
    const { token } = await loginOk(b, TENANT, EMAIL);
    okJson(a.cli('member', 'set-status', '--user', EMAIL, '--tenant', TENANT,
      '--status', 'suspended', '--json'));
    for (const s of [a, b]) {
      const seen = await within(1000, 403, meStatus(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} ${seen.ms} ms after the suspension`);
      assert.deepEqual((await call(s, 'GET', ME, token, { tenant: TENANT })).body,
        MEMBERSHIP_SUSPENDED);
    }
    okJson(a.cli('member', 'set-status', '--user', EMAIL, '--tenant', TENANT,
      '--status', 'active', '--json'));
    for (const s of [a, b]) {
      const seen = await within(1000, 200, meStatus(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} after the reactivation`);
    }
  });

  test('a key rotated with the CLI: both sign with it, both still accept the old tokens', async () => {
    const old = await loginOk(a, TENANT, EMAIL);
    const oldKid = kidOf(old.token);
    const rotated = okJson(b.cli('keys', 'rotate', '--json'));
    const newKid = rotated.kid;
    assert.ok(newKid && newKid !== oldKid, JSON.stringify(rotated));
    for (const s of [a, b]) {
      // The keyring reloads at most once a second.
      const ok = await waitFor(async () => {
        const jwks = await fetchJwks(s);
        return jwks.keys.some((k) => k.kid === newKid);
      }, { timeoutMs: 3000 });
      assert.ok(ok, `${s.url} lists the new key`);
      assert.equal(await meStatus(s, old.token)(), 200, 'a token signed with the old key');
    }
    await redisCommand(REDIS, 'DEL', 'latchkey:rl:login|ip:127.0.0.1');
    for (const s of [a, b]) {
      const fresh = await loginOk(s, TENANT, EMAIL);
      assert.equal(kidOf(fresh.token), newKid, `${s.url} signs with the new key`);
      const other = s === a ? b : a;
      assert.equal(await meStatus(other, fresh.token)(), 200);
    }
  });

  test('a role changed on A (team API): B enforces the new role within 1 s', async () => {
    await redisCommand(REDIS, 'DEL', 'latchkey:rl:login|ip:127.0.0.1');
    const team = await makeTeam(a, 'role-team', 'boss@role-team.test');
    const agent = await addMember(a, team, 'agent@role-team.test', 'agent');
    const teamStatus = async () => (await teamCall(b, 'GET', '/api/v1/team', agent, team)).status;
    // Several reads first, so B serves the agent from its cache.
    for (let i = 0; i < 5; i++) assert.equal(await teamStatus(), 403, 'an agent lacks team.view');
    const setRole = async (slug) => {
      const r = await teamCall(a, 'PATCH', `/api/v1/team/members/${agent.id}/role`, team.owner, team,
        { role_id: team.roles[slug] });
      assert.equal(r.status, 200, r.text);
    };
    await setRole('admin');
    let seen = await within(1000, 200, teamStatus);
    assert.ok(seen.ok, `B answered ${seen.last} ${seen.ms} ms after the promotion on A`);
    await setRole('agent');
    seen = await within(1000, 403, teamStatus);
    assert.ok(seen.ok, `B answered ${seen.last} ${seen.ms} ms after the demotion on A`);
    await redisCommand(REDIS, 'DEL', 'latchkey:rl:login|ip:127.0.0.1');
  });

  test('the login limit (5/min per IP) counts requests sent to both: 3 to A + 3 to B', async () => {
    const key = 'latchkey:rl:login|ip:127.0.0.1';
    await redisCommand(REDIS, 'DEL', key);
    const seq = [a, a, a, b, b];
    for (let i = 0; i < seq.length; i++) {
      const res = await login(seq[i], TENANT, EMAIL, i % 2 ? 'wrong-password' : 'securepass123');
      assert.equal(res.status, i % 2 ? 401 : 200, `request ${i + 1}: ${res.text}`);
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(4 - i), `request ${i + 1}`);
    }
    const sixth = await login(b, TENANT, EMAIL, 'securepass123');
    assert.equal(sixth.status, 429, sixth.text);
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    assert.equal(await redisCommand(REDIS, 'GET', key), '5');
    assert.equal((await login(a, TENANT, EMAIL, 'securepass123')).status, 429);
  });
});
