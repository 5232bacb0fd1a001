/*
 * backup.c - an online copy of a SQLite database (store_backup, issue 18)
 * with SQLite's backup API.
 *
 * The copy reads from a connection of its own inside one read transaction:
 * in WAL mode that transaction is a snapshot that other connections and
 * processes keep writing past, so the copy is the database as of its start
 * (every write acknowledged before is in it), no step ever restarts the
 * copy, and no writer waits for it. It is written to a temporary file in
 * dest's directory (mkstemp: mode 0600), synced, and renamed over dest, so
 * dest is never a half copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BACKUP_BUSY_MS 5000

/* True if dest names the file at path (the same inode). */
static bool same_file(const char *path, const char *dest)
{
    struct stat a, b;
    return stat(path, &a) == 0 && stat(dest, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Opens path read-only and starts the read transaction the copy reads in. */
static int open_source(const char *path, sqlite3 **out)
{
    *out = NULL;
    sqlite3 *db = NULL;
    /* Read-write without create: a read-only connection could not set up
     * the WAL index when no other connection has it open. Nothing is written. */
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, BACKUP_BUSY_MS);
        rc = sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        log_error("store=sqlite op=backup event=open_failed msg=\"%s\"",
                  db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return ERR_STORE;
    }
    *out = db;
    return 0;
}

/* sqlite3_exec's callback for PRAGMA quick_check: *ok stays true only if
 * the one row says "ok". */
static int check_row(void *arg, int n, char **vals, char **names)
{
    (void)names;
    bool *ok = arg;
    if (n < 1 || vals[0] == NULL || strcmp(vals[0], "ok") != 0)
        *ok = false;
    return 0;
}

/* Copies src into the file tmp, steps of pages pages. */
static int copy(sqlite3 *src, const char *tmp, int pages, struct store_backup_info *out)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", src, "main") : NULL;
    if (b == NULL) {
        log_error("store=sqlite op=backup event=init_failed msg=\"%s\"",
                  dst != NULL ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        sqlite3_close(dst);
        return ERR_STORE;
    }
    do {
        rc = sqlite3_backup_step(b, pages);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(10);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    out->pages = sqlite3_backup_pagecount(b);
    int fin = sqlite3_backup_finish(b);
    bool ok = true;
    if (rc == SQLITE_DONE && fin == SQLITE_OK)
        rc = sqlite3_exec(dst, "PRAGMA quick_check;", check_row, &ok, NULL);
    else if (rc == SQLITE_DONE)
        rc = fin;
    if (rc == SQLITE_OK && !ok)
        rc = SQLITE_CORRUPT;
    if (rc != SQLITE_OK)
        log_error("store=sqlite op=backup event=copy_failed msg=\"%s\"", sqlite3_errstr(rc));
    sqlite3_close(dst);
    return rc == SQLITE_OK ? 0 : ERR_STORE;
}

/* fsyncs path (a file, or a directory after a rename). */
static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    int rc = fsync(fd) == 0 ? 0 : ERR_IO;
    close(fd);
    return rc;
}

/* Makes the temporary file beside dest (mode 0600); *tmp is owned. */
static int make_temp(const char *dest, char **tmp)
{
    size_t n = strlen(dest) + sizeof(".tmp-XXXXXX");
    *tmp = xmalloc(n);
    snprintf(*tmp, n, "%s.tmp-XXXXXX", dest);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        log_warn("store=sqlite op=backup event=create_failed file=%s", *tmp);
        free(*tmp);
        *tmp = NULL;
        return ERR_IO;
    }
    close(fd);
    return 0;
}

int store_backup(struct store *s, const char *dest, int pages_per_step,
                 struct store_backup_info *out)
{
    *out = (struct store_backup_info){0};
    const char *path = store_sqlite_path(s);
    if (path == NULL || dest[0] == '\0' || same_file(path, dest))
        return ERR_INVALID;
    sqlite3 *src = NULL;
    char *tmp = NULL;
    int rc = make_temp(dest, &tmp);
    if (rc == 0)
        rc = open_source(path, &src);
    if (rc == 0)
        rc = copy(src, tmp, pages_per_step, out);
    sqlite3_close(src); /* ends the read transaction */
    if (rc == 0)
        rc = sync_path(tmp, O_RDONLY);
    if (rc == 0 && rename(tmp, dest) != 0) {
        log_warn("store=sqlite op=backup event=rename_failed file=%s", dest);
        rc = ERR_IO;
    }
    if (rc != 0) {
        if (tmp != NULL)
            unlink(tmp);
        goto out;
    }
    char *dir = xstrdup(dest);
    (void)sync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
    free(dir);
    struct stat st;
    if (stat(dest, &st) == 0)
        out->bytes = st.st_size;
out:
    free(tmp);
    return rc;
}
