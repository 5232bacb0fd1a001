// tests/e2e/lib/scale.mjs - two latchkey instances over one database, as
// behind a load balancer: different ports, same database (the SQLite file
// of the first, in WAL mode, or the PostgreSQL database the harness gives
// it), same Redis.

import http from 'node:http';

import { startServer, waitFor } from './server.mjs';

// Starts instance A, then B on A's database. env goes to both. Returns
// {a, b, stop()}; stop() stops B (keeping the shared data) and then A.
export async function startPair(env = {}) {
  const a = await startServer(env);
  let b;
  try {
    b = await startServer({ ...env, LATCHKEY_DATABASE_URL: a.env.LATCHKEY_DATABASE_URL },
      { dir: a.dir });
  } catch (err) {
    await a.stop();
    throw err;
  }
  return {
    a,
    b,
    async stop() {
      try {
        await b.stop({ keep: true });
      } finally {
        await a.stop();
      }
    },
  };
}

// Polls fn (async, returns a status) until it returns want, for at most
// withinMs. Resolves with {ok, ms, last}: ms since the call.
export async function within(withinMs, want, fn) {
  const t0 = Date.now();
  let last;
  const ok = await waitFor(async () => {
    last = await fn();
    return last === want;
  }, { timeoutMs: withinMs, everyMs: 25 });
  return { ok: Boolean(ok), ms: Date.now() - t0, last };
}

// How many log lines of a server's stderr contain needle.
export function logLines(server, needle) {
  return server.stderr().split('\n').filter((l) => l.includes(needle)).length;
}

// POST /api/v1/auth/token with an empty body (422, cheap) to server.port
// (latchkey or a proxy in front), from the loopback source address
// localAddress (127.0.0.0/8 all reach lo), with the given X-Forwarded-For (a
// string, or an array: several header lines). Resolves with {status, remaining}.
export function loginFrom(server, { localAddress = '127.0.0.1', xff } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': '2' };
    if (xff !== undefined) headers['X-Forwarded-For'] = xff;
    const req = http.request({
      host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/v1/auth/token',
      localAddress, headers, agent: false, timeout: 10000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode,
        remaining: Number(res.headers['x-ratelimit-remaining']) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end('{}');
  });
}
