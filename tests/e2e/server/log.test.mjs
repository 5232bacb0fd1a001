// The server's log is buffered (LATCHKEY_LOG_FLUSH_MS): access-log lines
// reach stderr within the interval on an idle server, in order, all of them
// by the time SIGTERM's exit is done; 0 writes each line at once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { api, logLinesOf, sleep, startServer, waitForLog, withServer } from '../lib/server.mjs';

const ACCESS = /level=info req=(r[0-9a-f]+) method=GET path=\/api\/v1\/log-test\/(\d+) status=404 /;

describe('server: buffered log', () => {
  test('an idle server writes the pending lines within the interval', async () => {
    await withServer({ LATCHKEY_LOG_FLUSH_MS: '100' }, async (s) => {
      for (let i = 0; i < 20; i++) await api(s, 'GET', `/api/v1/log-test/${i}`);
      const t0 = Date.now();
      const lines = await waitForLog(s, ACCESS, { count: 20, timeoutMs: 3000 });
      assert.equal(lines.length, 20, s.stderr());
      assert.ok(Date.now() - t0 < 3000);
      // Every request once. (Not necessarily in request order: a request's
      // line is logged when MHD completes it, which may be after the client
      // got the reply and sent the next request, served by the other worker.
      // The order of one thread's lines is pinned by tests/unit/util/test_log.c.)
      const seen = lines.map((l) => Number(ACCESS.exec(l)[2])).sort((a, b) => a - b);
      assert.deepEqual(seen, [...Array(20).keys()]);
      for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info /);
    });
  });

  test('lines wait for the interval, and SIGTERM writes them all before the exit', async () => {
    await withServer({ LATCHKEY_LOG_FLUSH_MS: '10000' }, async (s) => {
      for (let i = 0; i < 30; i++) await api(s, 'GET', `/api/v1/log-test/${i}`);
      await sleep(500);
      assert.equal(logLinesOf(s, ACCESS).length, 0, 'buffered: not written yet');
      await s.stop();
      const lines = logLinesOf(s, ACCESS);
      assert.equal(lines.length, 30, s.stderr());
      const rest = s.stderr().trimEnd().split('\n');
      assert.match(rest[rest.length - 1], /level=info event=stopped$/);
    });
  });

  test('LATCHKEY_LOG_FLUSH_MS=0 writes each line at once', async () => {
    await withServer({ LATCHKEY_LOG_FLUSH_MS: '0' }, async (s) => {
      await api(s, 'GET', '/api/v1/log-test/0');
      const lines = await waitForLog(s, ACCESS, { timeoutMs: 3000 });
      assert.equal(lines.length, 1, s.stderr());
    });
  });

  test('a bad LATCHKEY_LOG_FLUSH_MS is refused at start', async () => {
    await assert.rejects(startServer({ LATCHKEY_LOG_FLUSH_MS: 'soon' }),
      /LATCHKEY_LOG_FLUSH_MS/);
  });
});
