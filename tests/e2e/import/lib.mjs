// tests/e2e/import/lib.mjs - a Laravel application's database written by
// laravel-db.py (Laravel 11's users and Sanctum 4's personal_access_tokens,
// bcrypt from python3-bcrypt), as a SQLite file or a PostgreSQL database.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createPgDatabase, PG_ADMIN_URL, pgUrlFor, psql } from '../lib/server.mjs';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'laravel-db.py');

function run(...args) {
  // Debian's python3, where python3-bcrypt is installed (scripts/deps.sh).
  const r = spawnSync('/usr/bin/python3', [SCRIPT, ...args],
    { encoding: 'utf8', timeout: 120000, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new Error(`laravel-db.py: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`laravel-db.py ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  return { known: JSON.parse(lines.pop()), sql: lines.join('\n') };
}

// Writes the Laravel database as a SQLite file in dir; returns
// {url, known: {passwords: {email: pw}, tokens: {name: "id|secret"}}}.
export function laravelSqlite(dir) {
  const file = path.join(dir, 'laravel.sqlite');
  const { known } = run('sqlite', file);
  return { url: file, known };
}

// The same in a fresh PostgreSQL database of the test cluster (dropped with
// the other test databases at exit).
export function laravelPg() {
  const { known, sql } = run('pg');
  const url = pgUrlFor(PG_ADMIN_URL, createPgDatabase());
  psql(url, sql);
  return { url, known };
}

// What the fixtures of laravel-db.py must give, whatever the backends.
export const EXPECTED_SKIPS = [
  { table: 'users', id: 3, reason: 'invalid email' },
  { table: 'users', id: 4, reason: 'unknown password hash format (not bcrypt or argon2id)' },
  { table: 'users', id: 5, reason: 'duplicate email: Laravel user 1 has the same one' },
  { table: 'users', id: 6, reason: 'duplicate email: a latchkey user with different data has it' },
  { table: 'personal_access_tokens', id: 1, reason: 'its id is taken by another latchkey token' },
  { table: 'personal_access_tokens', id: 104,
    reason: 'tokenable_type is App\\Models\\Team, not App\\Models\\User' },
  { table: 'personal_access_tokens', id: 105,
    reason: 'malformed abilities (not a JSON array of strings, or too long)' },
  { table: 'personal_access_tokens', id: 106, reason: 'its user (Laravel id 3) was not imported' },
];
