// Issue 16, item 7 (single-use races), for key rotation: N `latchkey keys
// rotate` at once against one database. Each rotation retires exactly the
// keys it counted; one that finds a concurrent rotation retired them first
// is rolled back with a clear message. Whatever the interleaving, one key
// signs afterwards, never two, and every rotation that said it succeeded
// made a key that is stored (active, or retired by a later rotation). On PostgreSQL the transactions really overlap.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { okJson } from '../lib/cli.mjs';
import { childBaseEnv, latchkeyBin, startServer } from '../lib/server.mjs';

const N = 6;
const ROUNDS = 3;

// Runs `latchkey keys rotate --json` with env; resolves {code, stdout, stderr}.
function rotate(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(latchkeyBin(), ['keys', 'rotate', '--json'], {
      env: { ...childBaseEnv(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('autocom: concurrent key rotations', () => {
  let server;

  before(async () => {
    server = await startServer();
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test(`${N} rotations at once leave exactly one active key`, { timeout: 240000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const runs = await Promise.all(Array.from({ length: N }, () => rotate(server.env)));
      const made = [];
      for (const r of runs) {
        if (r.code === 0) {
          made.push(JSON.parse(r.stdout).kid);
        } else {
          assert.match(r.stderr, /at the same time|database is locked|busy/i,
            `round ${round}: a losing rotation says why (exit ${r.code}): ${r.stderr}`);
        }
      }
      assert.ok(made.length >= 1, `round ${round}: at least one rotation succeeded`);
      const keys = okJson(server.cli('keys', 'list', '--json'));
      const active = keys.filter((k) => k.state === 'active');
      assert.equal(active.length, 1, `round ${round}: one active key: ${JSON.stringify(keys)}`);
      assert.ok(made.includes(active[0].kid), `round ${round}: the active key is one a rotation reported`);
      for (const kid of made) {
        const k = keys.find((x) => x.kid === kid);
        assert.ok(k && (k.state === 'active' || k.state === 'retired'),
          `round ${round}: the reported key ${kid} is stored: ${JSON.stringify(keys)}`);
      }
    }
  });
});
