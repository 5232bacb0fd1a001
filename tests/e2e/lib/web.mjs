// The dashboard (README "Dashboard"): its pages, the security headers every
// page carries, plain HTTP helpers, and a headless Chromium (Debian's
// `chromium`, driven by playwright-core) for the browser tests.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api } from './server.mjs';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Every page path; the {token} pages with a made-up token.
export const PAGE_PATHS = [
  '/', '/login', '/forgot-password', `/reset-password/${'a'.repeat(64)}`,
  `/invitations/${'b'.repeat(64)}`, '/invitations/accept', '/dashboard', '/settings/api-keys',
  '/team', '/profile', '/tenant-admin/developer', '/super-admin/developer', '/staff',
];

// What a browser's navigation sends.
export const NAV_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

// GET (or method) path as a browser's navigation.
export function browserGet(server, p, headers = {}, method = 'GET') {
  return api(server, method, p, { headers: { Accept: NAV_ACCEPT, ...headers } });
}

// The /assets/... paths an HTML or JS text refers to.
export function assetPaths(text) {
  return [...new Set([...text.matchAll(/\/assets\/[A-Za-z0-9_.-]+/g)].map((m) => m[0]))];
}
