/*
 * web_files.h - the dashboard's static files compiled into the binary
 * (generated from web/ by scripts/embed-web.sh into build/gen/web.c).
 *
 * Assets (web/assets/NAME) are listed under their served path, with the
 * content hash in the name ("/assets/app.3f9a1c2b.css"); pages
 * (web/pages/NAME.html) under their file name ("login.html"), their
 * references to assets rewritten to the hashed names. Constant.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct web_file {
    const char *name;         /* "/assets/app.3f9a1c2b.css" or "login.html" */
    const char *content_type; /* "text/css; charset=utf-8" */
    const unsigned char *data;
    size_t len;
    const char *etag; /* "\"3f9a1c2b00d1e2f3\"": a strong validator of data */
    bool immutable;   /* an asset (hashed name), not a page */
};

/* n_web_files entries, assets first, then pages (an empty entry ends it). */
extern const struct web_file web_files[];
extern const size_t n_web_files;
