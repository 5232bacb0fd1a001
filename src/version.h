/*
 * version.h - the version this binary was built as (build/gen/version.c,
 * made by scripts/gen-version.sh from the VERSION file and git).
 */
#pragma once

/* "X.Y.Z", from the VERSION file. */
extern const char latchkey_version[];
/* The git commit built (12 hex digits), or "" when built without git. */
extern const char latchkey_commit[];
