// Issue 18 "Logs" and issue 19's: LATCHKEY_LOG_FORMAT=json (one JSON object
// per line, the fields of the key=value lines), LATCHKEY_ACCESS_LOG
// (all, errors, off), LATCHKEY_LOG_FILE reopened on SIGHUP (logrotate's
// postrotate), without losing a line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertNoSecrets } from '../lib/secrets.mjs';
import { api, latchkeyBin, logLinesOf, rawRequest, sleep, syncLog, waitFor, withServer }
  from '../lib/server.mjs';

// The key=value fields of a text line after its time stamp.
function textFields(line) {
  const out = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
  }
  return out;
}

describe('ops: logs', () => {
  test('LATCHKEY_LOG_FORMAT=json: every line one object, the same fields as text', async () => {
    const fieldsOf = {};
    for (const format of ['text', 'json']) {
      await withServer({ LATCHKEY_LOG_FORMAT: format, LATCHKEY_LOG_FLUSH_MS: '0' }, async (server) => {
        await api(server, 'GET', '/api/v1/json-log-probe', { headers: { 'X-Request-Id': `probe-${format}` } });
        // A path with a quote, a backslash and UTF-8.
        await rawRequest(server, 'GET /q%22%5C%C3%A9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        await waitFor(() => logLinesOf(server, `probe-${format}`).length > 0 &&
          logLinesOf(server, /path.{1,3}\/q%22/).length > 0);
        const lines = server.stderr().split('\n').filter((l) => l !== '');
        if (format === 'json') {
          for (const l of lines) {
            const o = JSON.parse(l);
            assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, l);
            assert.ok(['debug', 'info', 'warn', 'error'].includes(o.level), l);
          }
          const o = JSON.parse(logLinesOf(server, '"probe-json"')[0]);
          assert.equal(o.status, 404);
          assert.equal(typeof o.ms, 'number');
          assert.equal(o.path, '/api/v1/json-log-probe');
          fieldsOf.json = Object.keys(o).filter((k) => k !== 'time');
          const q = lines.map((l) => JSON.parse(l)).find((x) => String(x.path).startsWith('/q'));
          assert.ok(q, 'the odd path has its line');
          assert.equal(q.path, '/q%22\\%C3%A9');
          const listening = lines.map((l) => JSON.parse(l)).find((x) => x.event === 'listening');
          assert.equal(typeof listening.threads, 'number');
        } else {
          const l = logLinesOf(server, 'req=probe-text')[0];
          fieldsOf.text = Object.keys(textFields(l));
        }
      });
    }
    assert.deepEqual(fieldsOf.json, fieldsOf.text);
  });

  for (const [mode, logged] of [['all', [200, 404]], ['errors', [404]], ['off', []]]) {
    test(`LATCHKEY_ACCESS_LOG=${mode}`, async () => {
      await withServer({ LATCHKEY_ACCESS_LOG: mode }, async (server) => {
        assert.equal((await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': 'al-ok' } })).status, 200);
        assert.equal((await api(server, 'GET', '/nope', { headers: { 'X-Request-Id': 'al-missing' } })).status, 404);
        if (mode === 'off') {
          await sleep(500); // no access line to wait for: the flush interval is 100 ms
        } else {
          await syncLog(server); // its own 404 line marks the end
        }
        const got = [];
        if (logLinesOf(server, 'req=al-ok ').length > 0) got.push(200);
        if (logLinesOf(server, 'req=al-missing ').length > 0) got.push(404);
        assert.deepEqual(got, logged, server.stderr());
      });
    });
  }

  test('LATCHKEY_LOG_FILE: SIGHUP reopens it after a rename, no line lost', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'latchkey-logfile-'));
    const file = path.join(dir, 'latchkey.log');
    try {
      await withServer({ LATCHKEY_LOG_FILE: file }, async (server) => {
        const ids = (from, n) => Array.from({ length: n }, (_, i) => `rot-${from + i}`);
        const send = (list) => Promise.all(list.map((id) =>
          api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } })));
        await send(ids(0, 20));
        await waitFor(() => fs.readFileSync(file, 'utf8').includes('req=rot-19 '));
        assert.ok(!server.stderr().includes('req=rot-'), 'access lines go to the file');
        // Rotate while requests keep coming.
        const during = send(ids(20, 200));
        fs.renameSync(file, `${file}.1`);
        server.kill('SIGHUP');
        await during;
        await send(ids(220, 20));
        await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('req=rot-239 '),
          { timeoutMs: 5000 });
        const old = fs.readFileSync(`${file}.1`, 'utf8');
        const cur = fs.readFileSync(file, 'utf8');
        assert.match(cur, /event=log_reopened/);
        assert.ok(old.includes('req=rot-0 ') && !cur.includes('req=rot-0 '));
        assert.ok(cur.includes('req=rot-220 ') && !old.includes('req=rot-220 '));
        for (const id of ids(0, 240)) {
          const n = (old + cur).split(`req=${id} `).length - 1;
          assert.equal(n, 1, `${id} logged once: ${n}`);
        }
        assertNoSecrets(old + cur, 'latchkey serve (LATCHKEY_LOG_FILE)');
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad values are refused at start-up', () => {
    for (const [k, v] of [['LATCHKEY_LOG_FORMAT', 'xml'], ['LATCHKEY_ACCESS_LOG', 'some'],
      ['LATCHKEY_LOG_FILE', '/nonexistent-dir/x.log']]) {
      const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'latchkey-logbad-'));
      const r = spawnSync(latchkeyBin(), ['serve'], {
        env: { ...process.env, [k]: v, LATCHKEY_DATABASE_URL: path.join(dir, 'db'),
          LATCHKEY_LISTEN: '127.0.0.1:0' },
        encoding: 'utf8', timeout: 20000 });
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(r.status, 1, `${k}=${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(k));
    }
  });
});
