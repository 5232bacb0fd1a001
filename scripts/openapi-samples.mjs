#!/usr/bin/env node
// scripts/openapi-samples.mjs DIR [--write] - drafts the OpenAPI schemas of
// routes from the responses the e2e suite saw.
//
//   LATCHKEY_OPENAPI_RECORD=DIR LATCHKEY_BIN=$PWD/build/latchkey \
//     node --test tests/e2e/x/y.test.mjs          # record (nothing fails)
//   LATCHKEY_BIN=$PWD/build/latchkey node scripts/openapi-samples.mjs DIR --write
//
// Reads DIR/*.jsonl (tests/e2e/lib/openapi.mjs writes them) and infers a
// JSON Schema per route and status: required = the fields every sample had,
// types (with null where a sample had null), date-time where every string
// was an ISO-8601 timestamp, additionalProperties false except for maps
// (Laravel's "errors"). Error statuses any route of a surface may answer
// (400, 401, 403, 413, 419, 422, 429, 431, 500, 503) go to the surface's
// "errors", as component schemas shared between surfaces of one shape.
// Without --write it prints the draft; with it, it adds what is missing to
// src/surfaces/schemas/*.json and never changes an entry that is there.
// --check: checks every recorded response against the binary's document
// instead (as the suite would), printing each problem once.
// A draft is a start: read it against the seed and the handler.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const UNIVERSAL = new Set(['400', '401', '403', '413', '419', '422', '429', '431', '500', '503']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SCHEMA_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src',
  'surfaces', 'schemas');

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array'
  : Number.isInteger(v) ? 'integer' : typeof v);

function isStringArrayMap(objs) {
  return objs.every((o) => Object.values(o).every((v) => Array.isArray(v) &&
    v.every((s) => typeof s === 'string')));
}

function objectSchema(objs, strict, key) {
  if (key === 'errors' && isStringArrayMap(objs)) {
    return { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } };
  }
  const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))];
  // Keys that are ids or too many to be fields: a map.
  if (keys.length > 0 && (keys.length > 40 || keys.every((k) => /^[0-9]+$/.test(k)))) {
    return { type: 'object', additionalProperties: infer(objs.flatMap((o) => Object.values(o)), strict) };
  }
  const properties = {};
  for (const k of keys) properties[k] = infer(objs.filter((o) => k in o).map((o) => o[k]), strict, k);
  const required = keys.filter((k) => objs.every((o) => k in o));
  const s = { type: 'object', properties };
  if (required.length) s.required = required;
  if (strict) s.additionalProperties = false;
  return s;
}

export function infer(values, strict = true, key = '') {
  const types = new Set(values.map(typeOf));
  if (types.has('integer') && types.has('number')) types.delete('integer');
  const parts = [];
  for (const t of types) {
    if (t === 'object') parts.push(objectSchema(values.filter((v) => typeOf(v) === 'object'), strict, key));
    else if (t === 'array') {
      const items = values.filter(Array.isArray).flat();
      parts.push(items.length ? { type: 'array', items: infer(items, strict) } : { type: 'array' });
    } else if (t === 'string') {
      const strs = values.filter((v) => typeof v === 'string');
      parts.push(strs.length && strs.every((s) => ISO.test(s))
        ? { type: 'string', format: 'date-time' } : { type: 'string' });
    } else if (t === 'boolean' && key === 'success') {
      // The admin API's envelope: true on success, false on an error.
      const b = values.filter((v) => typeof v === 'boolean');
      parts.push(b.every((v) => v === b[0]) ? { const: b[0] } : { type: 'boolean' });
    } else parts.push({ type: t === 'number' ? 'number' : t });
  }
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0];
  if (parts.some((p) => !p.type)) return { anyOf: parts };
  const complex = parts.filter((p) => Object.keys(p).length > 1);
  if (complex.length === 0) return { type: parts.map((p) => p.type) };
  if (complex.length === 1) {
    return { ...complex[0], type: [complex[0].type, ...parts.filter((p) => p !== complex[0]).map((p) => p.type)] };
  }
  return { anyOf: parts };
}

function readSamples(dir) {
  const out = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (line) out.push(JSON.parse(line));
    }
  }
  return out;
}

function documentOf() {
  const r = spawnSync(process.env.LATCHKEY_BIN, ['openapi'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`latchkey openapi: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const parse = (t) => { try { return JSON.parse(t); } catch { return undefined; } };
const canon = (v) => JSON.stringify(v);
const push = (m, k, v) => { if (!m.has(k)) m.set(k, []); m.get(k).push(v); };

function draft(samples, doc) {
  const groups = new Map(); // surface \0 route \0 status -> samples
  const reqs = new Map(); // surface \0 route -> request bodies
  const failedReqs = new Map(); // the same, of requests that were refused
  const sent = new Set(); // surface \0 route of every request that had a body
  for (const s of samples) {
    const op = doc.paths[s.path]?.[s.method.toLowerCase()];
    if (!op) continue;
    const media = (s.contentType || '').split(';')[0];
    const tags = op.tags;
    const surface = tags.length > 1 && media === 'text/html' ? tags.find((t) => t === 'web') ?? tags[0]
      : tags.find((t) => t !== 'web') ?? tags[0];
    const route = `${s.method} ${s.path}`;
    push(groups, [surface, route, String(s.status)].join('\0'), s);
    if (s.reqBody) sent.add(`${surface}\0${route}`);
    const body = s.reqBody !== undefined ? parse(s.reqBody) : undefined;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      push(s.status < 300 ? reqs : failedReqs, `${surface}\0${route}`, body);
    }
  }
  const files = {};
  const surfaceErrors = new Map(); // surface \0 status -> bodies
  const errorUses = []; // [surface, route, status] seen
  const file = (sf) => (files[sf] ??= { errors: {}, routes: {} });
  for (const [k, list] of groups) {
    const [sf, route, status] = k.split('\0');
    const json = list.map((s) => parse(s.text)).filter((v) => v !== undefined);
    const entry = (file(sf).routes[route] ??= { responses: {} });
    if (UNIVERSAL.has(status) && json.length) {
      for (const b of json) push(surfaceErrors, `${sf}\0${status}`, b);
      errorUses.push([sf, route, status]);
      continue;
    }
    const medias = [...new Set(list.filter((s) => s.text).map((s) => (s.contentType || '*/*').split(';')[0]))];
    if (medias.length === 0) entry.responses[status] = null;
    else if (medias.length === 1 && medias[0] === 'application/json') entry.responses[status] = infer(json);
    else {
      const content = {};
      for (const m of medias.sort()) content[m] = m === 'application/json' ? { schema: infer(json) } : { schema: { type: 'string' } };
      entry.responses[status] = { content };
    }
  }
  for (const [k, bodies] of reqs) {
    const [sf, route] = k.split('\0');
    file(sf).routes[route].request = infer(bodies, false);
  }
  // A route no test called successfully: its fields, none required.
  for (const [k, bodies] of failedReqs) {
    const [sf, route] = k.split('\0');
    if (reqs.has(k)) continue;
    const { required, ...schema } = infer(bodies, false);
    file(sf).routes[route].request = schema;
  }
  // An unsafe method no test sent a body with takes none.
  for (const [sf, f] of Object.entries(files)) {
    for (const [route, e] of Object.entries(f.routes)) {
      if (/^(POST|PUT|PATCH) /.test(route) && !e.request && !sent.has(`${sf}\0${route}`)) e.request = null;
    }
  }
  const components = {};
  const byShape = new Map();
  for (const [k, bodies] of surfaceErrors) {
    const [sf, status] = k.split('\0');
    const schema = infer(bodies);
    const c = canon(schema);
    let name = byShape.get(c);
    if (!name) {
      const base = `${sf.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Error`;
      name = components[base] ? `${base}${status}` : base;
      byShape.set(c, name);
      components[name] = schema;
    }
    file(sf).errors[status] = { $ref: `#/components/schemas/${name}` };
  }
  // A route lists the surface's errors it was seen to answer, whether or
  // not the surface-wide rule (surfaces/openapi.h) gives it them.
  for (const [sf, route, status] of errorUses) files[sf].routes[route].responses[status] = files[sf].errors[status];
  hoist(files, components);
  return { files, components };
}

const pascal = (s) => s.split(/[^A-Za-z0-9]+/).filter(Boolean)
  .map((w) => w[0].toUpperCase() + w.slice(1)).join('');

// Visits every object schema below a response schema, children first:
// fn(schema, key of the property holding it, surface, route).
function eachNested(files, fn) {
  const walk = (node, key, sf, route, top) => {
    if (!node || typeof node !== 'object') return node;
    if (node.properties) {
      for (const [k, v] of Object.entries(node.properties)) node.properties[k] = walk(v, k, sf, route, false);
    }
    if (node.items) node.items = walk(node.items, key.replace(/s$/, ''), sf, route, false);
    return top ? node : fn(node, key, sf, route);
  };
  for (const [sf, f] of Object.entries(files)) {
    for (const [route, e] of Object.entries(f.routes)) {
      for (const st of Object.keys(e.responses)) e.responses[st] = walk(e.responses[st], '', sf, route, true);
    }
  }
}

// Objects of three or more fields that stand in two or more routes become
// component schemas (user, tenant, a paginator's links and meta), named by
// the property that holds them.
function hoist(files, components) {
  const seen = new Map(); // canonical -> Set of routes
  eachNested(files, (node, key, sf, route) => {
    if (node.type === 'object' && Object.keys(node.properties ?? {}).length >= 3) {
      const c = canon(node);
      if (!seen.has(c)) seen.set(c, new Set());
      seen.get(c).add(`${sf} ${route}`);
    }
    return node;
  });
  const names = new Map(); // canonical -> component name
  eachNested(files, (node, key, sf) => {
    const c = canon(node);
    if ((seen.get(c)?.size ?? 0) < 2) return node;
    let name = names.get(c);
    if (!name) {
      const base = pascal(key) || 'Object';
      name = base;
      for (let i = 2; components[name]; i++) name = components[`${pascal(sf)}${base}`] ? `${base}${i}` : `${pascal(sf)}${base}`;
      components[name] = node;
      names.set(c, name);
    }
    return { $ref: `#/components/schemas/${name}` };
  });
}

// Adds what d has and the files lack; keeps every existing entry.
function write({ files, components }) {
  const cpath = path.join(SCHEMA_DIR, 'components.json');
  const comp = JSON.parse(fs.readFileSync(cpath, 'utf8'));
  comp.schemas ??= {};
  for (const [n, s] of Object.entries(components)) comp.schemas[n] ??= s;
  fs.writeFileSync(cpath, JSON.stringify(comp, null, 2) + '\n');
  for (const [sf, d] of Object.entries(files)) {
    const p = path.join(SCHEMA_DIR, `${sf}.json`);
    const f = fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : {};
    f.errors ??= {};
    f.routes ??= {};
    for (const [st, s] of Object.entries(d.errors)) f.errors[st] ??= s;
    for (const [r, e] of Object.entries(d.routes)) {
      const have = (f.routes[r] ??= {});
      if (e.request !== undefined && have.request === undefined) have.request = e.request;
      have.responses ??= {};
      for (const [st, s] of Object.entries(e.responses)) if (!(st in have.responses)) have.responses[st] = s;
    }
    fs.writeFileSync(p, JSON.stringify(f, null, 2) + '\n');
  }
}

const [dir, flag] = process.argv.slice(2);
if (!dir || !process.env.LATCHKEY_BIN) {
  process.stderr.write('usage: LATCHKEY_BIN=... node scripts/openapi-samples.mjs DIR [--write]\n');
  process.exit(2);
}
if (flag === '--check') {
  const { checkResponse } = await import('../tests/e2e/lib/openapi.mjs');
  const problems = new Set();
  for (const s of readSamples(dir)) {
    const p = checkResponse(s);
    if (p) problems.add(p.split('\n')[0].replace(/\(\/[^)]*\)/, ''));
  }
  for (const p of problems) process.stdout.write(p + '\n');
  process.exit(problems.size ? 1 : 0);
}
const d = draft(readSamples(dir), documentOf());
if (flag === '--write') write(d);
else process.stdout.write(JSON.stringify(d, null, 2) + '\n');
