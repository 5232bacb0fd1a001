/*
 * outbox.c - the `log` mail driver: every message becomes a file.
 *
 * <dir>/<YYYYmmddTHHMMSSZ>-<message id>.eml, readable by its owner only
 * (it holds reset and invitation links). Written to a ".tmp" name first and
 * renamed, so a reader (an operator, a test) never sees half a message.
 * The directory is created (0700, with its parents) on first use. One log
 * line names the file and the recipient; the content (which holds the
 * token) is never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_int.h"
#include "util/log.h"
#include "util/xalloc.h"

/* mkdir -p dir, new directories 0700. */
static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        if (end)
            break;
        *s = '/';
    }
    free(p);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The file name's id part: the Message-ID with anything but [A-Za-z0-9.-]
 * replaced, so it is always one safe path component. */
static void safe_id(const char *id, char *out, size_t outlen)
{
    size_t i = 0;
    for (; id[i] != '\0' && i + 1 < outlen; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

enum mail_result outbox_deliver(const char *dir, const struct mail_item *it, char **path_out)
{
    if (path_out != NULL)
        *path_out = NULL;
    if (make_dirs(dir) != 0) {
        log_warn("mail event=outbox_failed driver=log dir=%s", dir);
        return MAIL_RETRY;
    }
    char stamp[32], id[96];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    safe_id(it->id, id, sizeof(id));
    size_t n = strlen(dir) + strlen(stamp) + strlen(id) + 16;
    char *path = xmalloc(n), *tmp = xmalloc(n + 4);
    snprintf(path, n, "%s/%s-%s.eml", dir, stamp, id);
    snprintf(tmp, n + 4, "%s.tmp", path);
    enum mail_result r = MAIL_RETRY;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        log_warn("mail event=outbox_failed driver=log file=%s", tmp);
        goto out;
    }
    int wrc = write_all(fd, it->data, it->len);
    if (close(fd) != 0)
        wrc = -1;
    if (wrc != 0 || rename(tmp, path) != 0) {
        log_warn("mail event=outbox_failed driver=log file=%s", path);
        unlink(tmp);
        goto out;
    }
    log_info("mail event=written driver=log kind=%s id=%s to=%s file=%s", it->kind, it->id, it->to,
             path);
    r = MAIL_SENT;
    if (path_out != NULL) {
        *path_out = path;
        path = NULL;
    }
out:
    free(path);
    free(tmp);
    return r;
}
