// Slowloris (issue 16, item 1): slow request heads from one address must
// neither starve another address nor hold a connection past the head
// deadline (LATCHKEY_HEADER_TIMEOUT_MS), and one address gets at most
// LATCHKEY_PER_IP_CONNECTIONS connections (64 by default).

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';

import { sleep, withServer } from '../lib/server.mjs';
import { exchange } from './lib.mjs';

// Opens a connection from localAddress that sends a request head a piece at
// a time, one piece every everyMs, never finishing it. Returns
// {sock, closedAt()} (Date.now() of the close, or null while open).
function slowHead(port, { localAddress = '127.0.0.1', everyMs = 1000, piece } = {}) {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress });
  let closedAt = null;
  let timer = null;
  let n = 0;
  const head = 'GET /healthz HTTP/1.1\r\nHost: a\r\n';
  const next = () => {
    if (closedAt !== null) return;
    const text = piece ? piece(n++) : `X-Slow-${n++}: 1\r\n`;
    sock.write(text, () => {});
    timer = setTimeout(next, everyMs);
  };
  sock.on('connect', () => {
    sock.write(piece ? '' : head, () => {});
    timer = setTimeout(next, piece ? 0 : everyMs);
  });
  const close = () => {
    if (closedAt === null) closedAt = Date.now();
    clearTimeout(timer);
  };
  sock.on('close', close);
  sock.on('error', close);
  return { sock, closedAt: () => closedAt, destroy: () => { close(); sock.destroy(); } };
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

describe('hardening: slowloris', () => {
  test('1,100 slow heads from 127.0.0.2: 127.0.0.1 is served, p99 under 100 ms', async () => {
    await withServer({ LATCHKEY_PER_IP_CONNECTIONS: null }, async (server) => { // the default, 64
      const slow = [];
      for (let i = 0; i < 1100; i++) {
        slow.push(slowHead(server.port, { localAddress: '127.0.0.2' }));
        if (i % 100 === 99) await sleep(20); // let the server accept as they come
      }
      await sleep(1500);
      const open = slow.filter((c) => c.closedAt() === null).length;

      const ms = [];
      const failed = [];
      const t0 = Date.now();
      while (Date.now() - t0 < 4000) {
        const s = Date.now();
        const r = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\n' +
          'Connection: close\r\n\r\n', { timeoutMs: 3000 });
        ms.push(Date.now() - s);
        if (r.status !== 200) failed.push(r.raw.slice(0, 100) || '(nothing)');
      }
      for (const c of slow) c.destroy();
      const p99 = percentile(ms, 99);
      assert.deepEqual(failed, [], `${failed.length} of ${ms.length} requests failed`);
      assert.ok(ms.length >= 50, `${ms.length} requests in 4 s`);
      assert.ok(p99 < 100, `p99 ${p99} ms over ${ms.length} requests (max ${Math.max(...ms)})`);
      assert.ok(open <= 64, `${open} slow connections from one address are open (limit 64)`);
      assert.ok(open >= 32, `only ${open} slow connections got in: the test did not load the server`);
    });
  }, { timeout: 60000 });

  test('a head trickled one byte a second is closed at the deadline', async () => {
    await withServer({ LATCHKEY_HEADER_TIMEOUT_MS: '2000' }, async (server) => {
      const head = 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Pad: ' + 'x'.repeat(100);
      const t0 = Date.now();
      const c = slowHead(server.port, { everyMs: 1000, piece: (i) => head[i] ?? 'x' });
      // A head finished in time is answered, however slowly it came.
      const inTime = slowHead(server.port, { everyMs: 250,
        piece: (i) => ['GET /healthz HTTP/1.1\r\n', 'Host: a\r\n', 'Connection: close\r\n',
          '\r\n'][i] ?? '' });
      let answer = '';
      inTime.sock.on('data', (d) => { answer += d.toString('latin1'); });
      while (c.closedAt() === null && Date.now() - t0 < 8000) await sleep(50);
      const after = (c.closedAt() ?? Date.now()) - t0;
      c.destroy();
      inTime.destroy();
      assert.ok(after >= 1900 && after < 3500, `closed after ${after} ms (deadline 2000)`);
      assert.match(answer, /^HTTP\/1\.1 200 /, 'the head sent in time was answered');
      // The server is still there for others.
      const r = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\n' +
        'Connection: close\r\n\r\n');
      assert.equal(r.status, 200);
    });
  }, { timeout: 30000 });

  test('a keep-alive connection\'s next head: idle time, then the deadline', async () => {
    await withServer({ LATCHKEY_CONN_TIMEOUT: '2', LATCHKEY_HEADER_TIMEOUT_MS: '1500' },
      async (server) => {
        const sock = net.connect({ port: server.port, host: '127.0.0.1' });
        let data = '';
        let closedAt = null;
        sock.on('data', (d) => { data += d.toString('latin1'); });
        sock.on('close', () => { closedAt = Date.now(); });
        sock.on('error', () => {});
        await new Promise((r) => sock.on('connect', r));
        sock.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
        while (!/HTTP\/1\.1 200 /.test(data)) await sleep(20);
        const t0 = Date.now();
        // The next head, a byte every 300 ms: MHD's idle timer never fires.
        const next = 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Pad: ' + 'x'.repeat(100);
        for (let i = 0; closedAt === null && Date.now() - t0 < 8000; i++) {
          sock.write(next[i] ?? 'x', () => {});
          await sleep(300);
        }
        sock.destroy();
        assert.ok(closedAt !== null, 'the trickled head was left open');
        const after = closedAt - t0;
        // LATCHKEY_CONN_TIMEOUT (2 s) of idle time, then the 1.5 s deadline.
        assert.ok(after >= 3300 && after < 5000, `closed ${after} ms after the answer`);
      });
  }, { timeout: 30000 });
});
