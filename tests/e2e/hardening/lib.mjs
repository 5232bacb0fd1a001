// Raw-socket helpers for the HTTP hardening tests.

import net from 'node:net';

import { parseRawResponse } from '../lib/server.mjs';

// Sends data (string or Buffer) and reads until the server closes the
// connection or timeoutMs passes. Resolves to the parsed first response
// ({status, headers, body, json}) plus closed (true if the server closed)
// and ms (time to the close).
export function exchange(port, data, { timeoutMs = 5000, localAddress } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    const chunks = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const r = parseRawResponse(Buffer.concat(chunks).toString('latin1'));
      resolve({ ...r, closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    sock.on('connect', () => sock.write(data));
  });
}
