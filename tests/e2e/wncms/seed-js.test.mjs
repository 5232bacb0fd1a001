// Seed 003's own JavaScript, run under Node against the server: testToken()
// and the TokenValidator class (seed-003-examples.js, copied verbatim from
// the seed) give the answers the seed says they give - valid, invalid,
// "valid but endpoint disabled" - and ensureValid() throws for a bad token.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { sleep } from '../lib/server.mjs';
import { apiToken, createSite, setSetting, startWncms } from '../lib/wncms.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// The seed's code with its placeholder host replaced by url, as a module.
async function seedExamples(url) {
  const text = fs.readFileSync(path.join(here, 'seed-003-examples.js'), 'utf8')
    .replaceAll('https://your-domain.com', url);
  return import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`);
}

// Runs fn with console.log and console.error captured; returns [result, lines].
async function captured(fn) {
  const lines = [];
  const saved = [console.log, console.error];
  console.log = (...a) => lines.push(a.join(' '));
  console.error = (...a) => lines.push(a.join(' '));
  try {
    return [await fn(), lines];
  } finally {
    [console.log, console.error] = saved;
  }
}

describe('wncms: the seed\'s JavaScript examples', () => {
  let server;
  let seed;
  let site;

  before(async () => {
    server = await startWncms();
    site = createSite(server, 'alpha');
    seed = await seedExamples(server.url);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('testToken: a valid token', async () => {
    const [ok, log] = await captured(() => seed.testToken(site.admin.token));
    assert.equal(ok, true);
    assert.deepEqual(log, ['✓ Token is valid']);
  });

  test('testToken: an invalid, a revoked and an inactive user\'s token', async () => {
    let [ok, log] = await captured(() => seed.testToken('abc123def456ghi789jkl012mno345pqr678stu'));
    assert.deepEqual([ok, log], [false, ['✗ Token is invalid']]);
    const old = apiToken(server, site.editor.email, 'alpha');
    apiToken(server, site.editor.email, 'alpha'); // rotation revokes old
    [ok, log] = await captured(() => seed.testToken(old));
    assert.deepEqual([ok, log], [false, ['✗ Token is invalid']]);
    server.cli('user', 'set-status', '--email', site.editor.email, '--status', 'inactive');
    const current = apiToken(server, site.editor.email, 'alpha');
    [ok, log] = await captured(() => seed.testToken(current));
    assert.deepEqual([ok, log], [false, ['✗ Token is invalid']]);
    server.cli('user', 'set-status', '--email', site.editor.email, '--status', 'active');
  });

  test('TokenValidator: valid, then invalid (ensureValid throws)', async () => {
    const good = new seed.TokenValidator(server.url, site.admin.token);
    assert.equal(await good.validate(), true);
    assert.equal(await good.ensureValid(), true);
    assert.ok(good.lastChecked instanceof Date);
    const bad = new seed.TokenValidator(server.url, 'not-a-token');
    assert.equal(await bad.validate(), false);
    await assert.rejects(() => bad.ensureValid(), { message: 'API token is invalid' });
  });

  test('the endpoint disabled: "Token valid but endpoint disabled", as the seed says', async () => {
    setSetting(server, 'wncms_api_posts_index', 'false');
    await sleep(500);
    const [ok, log] = await captured(() => seed.testToken(site.admin.token));
    assert.deepEqual([ok, log], [true, ['⚠ Token valid but endpoint disabled']]);
    // TokenValidator counts a disabled endpoint as valid too (status 403 is not "fail").
    assert.equal(await new seed.TokenValidator(server.url, site.admin.token).validate(), true);
    setSetting(server, 'wncms_api_posts_index', 'true');
    await sleep(500);
    assert.equal(await new seed.TokenValidator(server.url, site.admin.token).validate(), true);
  });

  test('testToken: a network error is false', async () => {
    const down = await seedExamples('http://127.0.0.1:9');
    const [ok, log] = await captured(() => down.testToken(site.admin.token));
    assert.equal(ok, false);
    assert.match(log[0], /^Network error:/);
  });
});
