// tests/e2e/lib/ops.mjs - the operations commands' tests (ops/): a CLI run
// that does not block the event loop, so requests go on while it runs.

import { spawn } from 'node:child_process';

import { childBaseEnv, latchkeyBin } from './server.mjs';

// Runs `latchkey <args>` as a child process with env over the base
// environment; resolves to {status, stdout, stderr} when it exits.
export function cliAsync(env, ...args) {
  return new Promise((resolve) => {
    const child = spawn(latchkeyBin(), args, { env: { ...childBaseEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
