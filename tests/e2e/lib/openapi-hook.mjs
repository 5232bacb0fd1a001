// tests/e2e/lib/openapi-hook.mjs - loaded with `node --import` by
// scripts/run-tests.sh: checks every latchkey response of every test file
// against the OpenAPI document, also in a file that does not import
// lib/server.mjs (lib/openapi.mjs says how).
import { installFetchHook } from './openapi.mjs';

installFetchHook();
