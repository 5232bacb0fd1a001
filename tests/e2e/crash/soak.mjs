// make soak (issue 16; not part of make check): one server under mixed
// load for SOAK_SECONDS (600), then the verdict: no request may fail, and
// the server's anonymous resident memory (RssAnon) must not grow: the
// median of the last samples within 10 % of the median of the first ones
// after the warm-up (the first fifth of the run, at most 60 s), which
// follows a fill phase (below). Each sample is taken at rest
// (the clients pause until the requests in flight are answered), and
// medians are compared rather than single samples. Prints one line per
// sample and a summary.
//
// The load, from SOAK_CLIENTS (8) clients in turn: WedoCOD lead creation,
// reads and lists with a PAT, AutoCom logins (argon2id) and /me with the
// JWT, travel profile reads, admin user lists, failed logins and unknown
// tokens (401s are expected answers, not errors).
//
//   LATCHKEY_BIN=build/latchkey node tests/e2e/crash/soak.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';

import { adminLoginOk, createStaff } from '../lib/admin.mjs';
import { call as autocomCall, loginOk, registerOk } from '../lib/autocom.mjs';
import { api, cliJson, runCli, sleep, startServer } from '../lib/server.mjs';
import { createAccount, LEAD, token as patFor } from '../lib/wedocod.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 600);
const CLIENTS = Number(process.env.SOAK_CLIENTS || 8);
const WARMUP = Math.min(60, SECONDS / 5);
const SAMPLE_MS = 5000;

// Anonymous memory (the heap, thread stacks): what a leak grows. VmRSS also
// counts the pages of the SQLite file mapped in (mmap_size), which grow with
// the database the soak writes, not with latchkey's memory; shown apart.
const statusKiB = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
// The bounded in-memory tables fill as new tokens arrive: the JWT memo
// (KEYRING_MEMO_SLOTS, 8,192 tokens) and the principal cache (a byte
// budget, LATCHKEY_AUTH_CACHE_MB: 4 here, about 2,500 principals). Growth
// while they fill is not a leak, so a fill phase first verifies more
// distinct JWTs than either holds.
const FILL = Number(process.env.SOAK_FILL || 9000);

async function main() {
  // Every throttle out of the way (from the route tables), but the admin
  // login's: the failed logins meet it, and a 429 is a right answer there.
  const buckets = new Set(runCli({}, 'routes', '--json').json.map((r) => r.bucket).filter(Boolean));
  buckets.delete('admin_login');
  const env = { LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_AUTH_CACHE_MB: '4' };
  for (const b of buckets) env[`LATCHKEY_RATE_${b.toUpperCase()}`] = '100000000/60';
  const server = await startServer(env);
  try {
    createAccount(server, 'soak', 'owner@soak.test');
    const pat = patFor(server, 'owner@soak.test', 'soak');
    await registerOk(server, 'soak-team', 'owner@soak-team.test');
    cliJson(server.cli, 'tenant', 'create', '--slug', 'soak-trip', '--name', 'Soak trip');
    cliJson(server.cli, 'user', 'create', '--email', 't@soak.test', '--name', 'T',
      '--password', 'secret-password-1', '--tenant', 'soak-trip', '--role', 'user');
    const travel = cliJson(server.cli, 'token', 'create', '--user', 't@soak.test',
      '--tenant', 'soak-trip', '--name', 'soak').token;
    createStaff(server, 'staff@soak.test', 'owner', { password: 'staff-password-1' });
    const admin = (await adminLoginOk(server, 'staff@soak.test', 'staff-password-1')).token;

    // Each step: a request and the statuses that are right for it.
    const steps = [
      async () => [await api(server, 'POST', '/api/web/1.0/leads', { token: pat, body: LEAD }), [201]],
      async () => [await api(server, 'GET', '/api/web/1.0/leads?per_page=5', { token: pat }), [200]],
      async () => {
        const { token } = await loginOk(server, 'soak-team', 'owner@soak-team.test');
        return [await autocomCall(server, 'GET', '/api/v1/auth/me', token), [200]];
      },
      async () => [await api(server, 'GET', '/api/v1/auth/profile', { token: travel }), [200]],
      async () => [await api(server, 'GET', '/admin/users?per_page=5', { token: admin }), [200]],
      async () => [await api(server, 'GET', '/api/v1/auth/user', { token: '1|nope' }), [401]],
      async () => [await api(server, 'POST', '/admin/auth/login',
        { body: { email: 'staff@soak.test', password: 'wrong password' } }), [401, 429]],
    ];
    // Fill: FILL logins, each token used once, 16 at a time.
    const tf = Date.now();
    for (let done = 0; done < FILL; done += 16) {
      await Promise.all(Array.from({ length: Math.min(16, FILL - done) }, async () => {
        const { token } = await loginOk(server, 'soak-team', 'owner@soak-team.test');
        const me = await autocomCall(server, 'GET', '/api/v1/auth/me', token);
        assert.equal(me.status, 200, me.text);
      }));
    }
    console.log(`soak: fill: ${FILL} logins and /me in ${Math.round((Date.now() - tf) / 1000)} s`);

    let requests = 0;
    let inFlight = 0;
    let gate = null; // a promise the clients wait on while RSS is sampled
    const errors = [];
    const end = Date.now() + SECONDS * 1000;
    const client = async (c) => {
      for (let i = c; Date.now() < end; i++) {
        while (gate) await gate;
        inFlight++;
        try {
          const [res, ok] = await steps[i % steps.length]();
          requests++;
          if (!ok.includes(res.status)) errors.push(`step ${i % steps.length}: ${res.status} ${res.text.slice(0, 200)}`);
        } catch (err) {
          errors.push(err.message);
        } finally {
          inFlight--;
        }
      }
    };
    // RSS is read at rest: the clients hold their next request and the
    // requests in flight finish first. Read under load, a sample counts
    // whichever argon2id logins (8 MiB each) happen to be hashing, and
    // swings by more than the 10 % the run is judged on.
    const samples = [];
    const t0 = Date.now();
    const sampler = (async () => {
      while (Date.now() < end) {
        await sleep(SAMPLE_MS);
        let open;
        gate = new Promise((r) => { open = r; });
        while (inFlight > 0) await sleep(10);
        await sleep(100);
        const s = { t: Math.round((Date.now() - t0) / 1000), rss: statusKiB(server.pid, 'RssAnon'),
          file: statusKiB(server.pid, 'RssFile'), requests };
        gate = null;
        open();
        samples.push(s);
        console.log(`soak: ${s.t} s, RssAnon ${s.rss} KiB at rest (RssFile ${s.file}), ${s.requests} requests, ${errors.length} errors`);
      }
    })();
    await Promise.all([sampler, ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    const after = samples.filter((s) => s.t >= WARMUP);
    assert.ok(after.length >= 2, 'too short a run to judge the memory');
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const k = Math.max(1, Math.floor(after.length / 5));
    const base = median(after.slice(0, k).map((s) => s.rss));
    const last = median(after.slice(-k).map((s) => s.rss));
    const max = Math.max(...after.map((s) => s.rss));
    const min = Math.min(...after.map((s) => s.rss));
    const drift = (Math.abs(last - base) / base) * 100;
    console.log(`soak: ${SECONDS} s, ${CLIENTS} clients, ${requests} requests ` +
      `(${Math.round(requests / SECONDS)}/s), ${errors.length} errors; RSS after ${WARMUP} s of ` +
      `warm-up: RssAnon median ${base} KiB first, ${last} KiB last (${drift.toFixed(1)} %), ` +
      `samples ${min}..${max} KiB`);
    assert.deepEqual(errors.slice(0, 20), [], `${errors.length} errors`);
    assert.ok(drift <= 10, `RssAnon moved ${drift.toFixed(1)} % after the warm-up`);
  } finally {
    await server.stop();
  }
}

await main();
