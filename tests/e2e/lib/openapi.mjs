// tests/e2e/lib/openapi.mjs - every response a test sees is checked against
// the OpenAPI document of the binary under test (`latchkey openapi`, what
// GET /openapi.json serves), so the document cannot drift from the server.
//
// installFetchHook() wraps globalThis.fetch once per process: server.mjs
// calls it when it is imported (so api() and every direct fetch of a test
// that uses the harness are covered, also when one file is run alone), and
// scripts/run-tests.sh loads lib/openapi-hook.mjs with `node --import` for
// any file that does not import the harness. A response is latchkey's when
// it carries X-Request-Id (every latchkey reply does, also through nginx);
// its method and path are matched to the document's operations:
//   - an operation without schemas (x-latchkey-undocumented), a status the
//     operation does not list, a media type it does not list, or a JSON
//     body that does not match the schema: the fetch rejects with an Error
//     naming the route, the status and the schema error, so the test that
//     made the request fails; and the failure is kept, so that a test that
//     swallowed the rejection still fails its file at exit (exit code 1 and
//     the failures on stderr): a mismatch is never skipped silently.
//   - a path no operation matches (the 404 of an unknown path, a 405 of a
//     known path with another method), HEAD and OPTIONS (CORS preflight)
//     are not checked: they answer no route of the document.
// Not covered: raw-socket requests (rawRequest(), the HTTP layer's own
// malformed-request tests) and the browser's traffic in the Playwright
// tests (the pages' fetches run in Chromium, not in Node).
//
// LATCHKEY_OPENAPI_RECORD=DIR: nothing fails; every checked response is
// appended to DIR/<pid>.jsonl with the error it would have had (used to
// write the schemas of a new route: scripts/openapi-samples.mjs).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const DOC_ID = 'urn:latchkey:openapi';
const HOOKED = Symbol.for('latchkey.openapi.fetch');
const failures = [];
let state = null; // { doc, ops, ajv, validators } once loaded

// The document of LATCHKEY_BIN, read once per process; null without a binary.
export function openapiDocument() {
  return load()?.doc ?? null;
}

function load() {
  if (state) return state;
  const bin = process.env.LATCHKEY_BIN;
  if (!bin) return null;
  const r = spawnSync(bin, ['openapi'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`latchkey openapi: exit ${r.status}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    const names = [];
    const re = new RegExp('^' + p.split(/(\{[^}]+\})/).map((part) => {
      if (/^\{[^}]+\}$/.test(part)) { names.push(part); return '([^/]+)'; }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('') + '$');
    for (const [method, op] of Object.entries(item)) {
      ops.push({ method: method.toUpperCase(), path: p, re, params: names.length, op });
    }
  }
  // Literal routes before those with parameters, as the router matches.
  ops.sort((a, b) => a.params - b.params);
  state = { doc, ops, ajv, validators: new Map() };
  return state;
}

const escPointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

// The matching operation of a request, or null.
export function findOperation(method, pathname) {
  const s = load();
  if (!s) return null;
  return s.ops.find((o) => o.method === method && o.re.test(pathname)) ?? null;
}

// Checks one response; returns null or a message saying what is wrong.
export function checkResponse({ method, url, status, contentType, text }) {
  const s = load();
  if (!s || method === 'HEAD' || method === 'OPTIONS') return null;
  const pathname = new URL(url).pathname;
  const found = findOperation(method, pathname);
  if (!found) return null;
  const route = `${method} ${found.path} (${pathname}) -> ${status}`;
  const { op } = found;
  if (op['x-latchkey-undocumented']) return `${route}: the route has no schemas in src/surfaces/schemas/`;
  const res = op.responses?.[String(status)];
  if (!res) {
    return `${route}: status ${status} is not documented (has ${Object.keys(op.responses ?? {}).join(', ')})`;
  }
  if (text === '') return null;
  const media = (contentType || '').split(';')[0].trim().toLowerCase();
  const content = res.content ?? {};
  const key = content[media] ? media : content['*/*'] ? '*/*' : null;
  if (!key) {
    return `${route}: a ${media || 'untyped'} body is not documented (has ${Object.keys(content).join(', ') || 'no body'})`;
  }
  if (media !== 'application/json' || !content[key].schema) return null;
  let body;
  try { body = JSON.parse(text); } catch { return `${route}: the body is not JSON`; }
  const ref = `${DOC_ID}#/paths/${escPointer(found.path)}/${method.toLowerCase()}/responses/${status}/content/${escPointer(key)}/schema`;
  let v = s.validators.get(ref);
  if (!v) {
    v = s.ajv.compile({ $ref: ref });
    s.validators.set(ref, v);
  }
  if (v(body)) return null;
  const errs = v.errors.slice(0, 5).map((e) =>
    `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
  return `${route}: the body does not match the schema: ${errs.join('; ')}\nbody: ${text.slice(0, 600)}`;
}

const recorded = new Map(); // "METHOD path status" -> samples kept
const MAX_SAMPLES = 40;

function record(dir, entry) {
  const key = `${entry.method} ${entry.path} ${entry.status}`;
  const n = recorded.get(key) ?? 0;
  if (n >= MAX_SAMPLES) return;
  recorded.set(key, n + 1);
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), JSON.stringify(entry) + '\n');
}

// Checks a fetch's response (a clone is read); throws on a mismatch.
async function checkFetch(method, url, res, reqBody) {
  if (!res.headers.get('x-request-id')) return;
  const text = await res.clone().text();
  const entry = { method, url, status: res.status, contentType: res.headers.get('content-type'), text };
  const problem = checkResponse(entry);
  const dir = process.env.LATCHKEY_OPENAPI_RECORD;
  if (dir) {
    const found = findOperation(method, new URL(url).pathname);
    if (found) record(dir, { ...entry, path: found.path, problem, reqBody });
    return;
  }
  if (!problem) return;
  failures.push(problem);
  throw new Error(`OpenAPI: ${problem}`);
}

// Wraps globalThis.fetch (once per process; later calls do nothing).
export function installFetchHook() {
  if (globalThis.fetch[HOOKED] || !process.env.LATCHKEY_BIN) return;
  const inner = globalThis.fetch;
  const hooked = async (input, init) => {
    const res = await inner(input, init);
    const req = input instanceof Request ? input : null;
    const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
    const url = req ? req.url : String(input);
    // After a followed redirect the response is the GET of its target.
    if (res.redirected) await checkFetch('GET', res.url, res);
    else await checkFetch(method, url, res, typeof init?.body === 'string' ? init.body : undefined);
    return res;
  };
  hooked[HOOKED] = true;
  globalThis.fetch = hooked;
  process.on('exit', () => {
    if (failures.length === 0) return;
    process.stderr.write(`OpenAPI: ${failures.length} response(s) did not match the document:\n` +
      failures.map((f) => `  ${f}`).join('\n') + '\n');
    process.exitCode = 1;
  });
}
