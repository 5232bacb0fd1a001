// An unknown LATCHKEY_* variable is a warning naming the nearest known one,
// at serve and at CLI start; its value is never logged. The harness's own
// LATCHKEY_* variables (LATCHKEY_BIN, LATCHKEY_TEST_PG_URL, ...) are not
// passed to the server, so a test server warns about nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ok } from '../lib/cli.mjs';
import { runCli, startServer, syncLog, tempDb, withServer } from '../lib/server.mjs';

const WARNING = 'unknown variable LATCHKEY_DATABSE_URL; did you mean LATCHKEY_DATABASE_URL?';

describe('unknown LATCHKEY_* variables', () => {
  let server;
  before(async () => {
    server = await startServer({ LATCHKEY_DATABSE_URL: 'value-never-logged' });
  });
  after(() => server && server.stop());

  test('serve logs one warning line that names the nearest variable, without the value', async () => {
    await syncLog(server);
    const lines = server.stderr().split('\n').filter((l) => l.includes('event=unknown_variable'));
    assert.equal(lines.length, 1, server.stderr());
    assert.match(lines[0], /level=warn/);
    assert.ok(lines[0].includes(WARNING), lines[0]);
    assert.ok(!server.stderr().includes('value-never-logged'));
  });

  test('a CLI command warns too, and still runs', () => {
    const t = tempDb();
    try {
      assert.equal(ok(t.cli('tenant', 'list')).stderr, '', 'no warning without a typo');
      const r = ok(runCli({ ...t.env, LATCHKEY_RATE_TOKNE: '5/60' }, 'tenant', 'list'));
      assert.match(r.stderr, /level=warn event=unknown_variable .*unknown variable LATCHKEY_RATE_TOKNE; did you mean LATCHKEY_RATE_TOKEN\?/);
    } finally {
      t.cleanup();
    }
  });

  test('the harness passes none of its own variables: a plain test server warns about nothing', async () => {
    await withServer({}, async (plain) => {
      await syncLog(plain);
      assert.ok(!plain.stderr().includes('unknown_variable'), plain.stderr());
    });
  });
});
