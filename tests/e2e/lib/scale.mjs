// tests/e2e/lib/scale.mjs - two latchkey instances over one database, as
// behind a load balancer: different ports, same database (the SQLite file
// of the first, in WAL mode, or the PostgreSQL database the harness gives
// it), same Redis.

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
