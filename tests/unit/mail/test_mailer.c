/*
 * test_mailer.c - the mail queue and its drivers: the outbox (log) driver
 * writes one private file per message; the SMTP driver's failures are
 * retried with backoff and then dropped; stopping is bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "tmpdir.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "mail/mail_int.h"
#include "util/err.h"
#include "util/timeutil.h"

struct fixture {
    char dir[64];
    char outbox[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    test_tmpdir(f->dir, "mail");
    snprintf(f->outbox, sizeof(f->outbox), "%s/var/mail", f->dir);
    assert_int_equal(crypto_init(), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static struct mail_options log_options(const char *dir)
{
    return (struct mail_options){
        .driver = MAIL_DRIVER_LOG,
        .from = "latchkey@example.com",
        .from_name = "Latchkey",
        .outbox_dir = dir,
        .timeout_s = 5,
        .retries = 2,
        .backoff_ms = 10,
        .queue_max = 100,
        .drain_ms = 2000,
    };
}

/* Names of the regular files in dir, sorted; returns how many. */
static size_t list_files(const char *dir, char names[][256], size_t max)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char data[65536];
    size_t n = fread(data, 1, sizeof(data) - 1, fp);
    data[n] = '\0';
    fclose(fp);
    return data;
}

static void outbox_writes_private_files(void **state)
{
    struct fixture *f = *state;
    struct mail_options o = log_options(f->outbox);
    struct mailer *m = NULL;
    assert_int_equal(mailer_new(&o, &m), 0);
    const char *to[] = {"a@example.org", "b@example.org", "c@example.org"};
    for (size_t i = 0; i < 3; i++) {
        struct mail_message msg = {
            .to = to[i],
            .subject = "Reset your password",
            .text = "Reset: https://x.test/r?token=SECRET\n",
            .html = "<a href=\"https://x.test/r?token=SECRET\">Reset</a>",
            .kind = "password_reset",
        };
        assert_int_equal(mail_send(m, &msg), 0);
    }
    assert_int_equal(mailer_wait_idle(m, 5000), 0);
    struct mail_stats st;
    mailer_stats(m, &st);
    assert_int_equal(st.queued, 3);
    assert_int_equal(st.sent, 3);
    assert_int_equal(st.dropped, 0);

    char names[8][256];
    size_t n = list_files(f->outbox, names, 8);
    assert_int_equal(n, 3);
    struct stat sb;
    assert_int_equal(stat(f->outbox, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        assert_true(len > 4 && strcmp(names[i] + len - 4, ".eml") == 0);
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", f->outbox, names[i]);
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        const char *data = slurp(path);
        assert_non_null(strstr(data, "From: Latchkey <latchkey@example.com>\r\n"));
        assert_non_null(strstr(data, "token=3DSECRET"));
        for (size_t j = 0; j < 3; j++) {
            char hdr[64];
            snprintf(hdr, sizeof(hdr), "\r\nTo: %s\r\n", to[j]);
            if (strstr(data, hdr) != NULL)
                seen |= 1 << j;
        }
    }
    assert_int_equal(seen, 7);
    mailer_free(m);
}

static void send_refuses_bad_input(void **state)
{
    struct fixture *f = *state;
    struct mail_options o = log_options(f->outbox);
    struct mailer *m = NULL;
    assert_int_equal(mailer_new(&o, &m), 0);
    struct mail_message msg = {.to = "x@y.z\r\nBcc: v@w.x", .subject = "s", .text = "t"};
    assert_int_equal(mail_send(m, &msg), ERR_INVALID);
    assert_int_equal(mail_send(NULL, &msg), ERR_UNAVAILABLE);
    mailer_free(m);
    mailer_free(NULL);

    o.from = "not an address";
    assert_int_equal(mailer_new(&o, &m), ERR_INVALID);
    o = log_options("");
    assert_int_equal(mailer_new(&o, &m), ERR_INVALID);
    o = log_options(f->outbox);
    o.driver = MAIL_DRIVER_SMTP;
    o.smtp_url = "http://example.com";
    assert_int_equal(mailer_new(&o, &m), ERR_INVALID);
    assert_null(m);
}

static void outbox_driver_direct(void **state)
{
    struct fixture *f = *state;
    char data[] = "Subject: x\r\n\r\nbody\r\n";
    struct mail_item it = {.to = "a@b.c", .data = data, .len = strlen(data)};
    snprintf(it.kind, sizeof(it.kind), "test");
    snprintf(it.id, sizeof(it.id), "../../evil/id@example.com");
    char *path = NULL;
    assert_int_equal(outbox_deliver(f->outbox, &it, &path), MAIL_SENT);
    assert_non_null(path);
    /* The id cannot climb out of the outbox. */
    assert_int_equal(strncmp(path, f->outbox, strlen(f->outbox)), 0);
    assert_null(strchr(path + strlen(f->outbox) + 1, '/'));
    assert_string_equal(slurp(path), data);
    free(path);
    /* An unwritable directory is a temporary failure. */
    char blocked[256];
    snprintf(blocked, sizeof(blocked), "%s/file", f->dir);
    FILE *fp = fopen(blocked, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(blocked, sizeof(blocked), "%s/file/sub", f->dir);
    assert_int_equal(outbox_deliver(blocked, &it, NULL), MAIL_RETRY);
}

/* A loopback port where nothing listens (bound, then closed). */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t len = sizeof(sa);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void smtp_failures_are_retried_then_dropped(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", dead_port());
    struct mail_options o = {
        .driver = MAIL_DRIVER_SMTP,
        .from = "latchkey@example.com",
        .smtp_url = url,
        .timeout_s = 2,
        .retries = 3,
        .backoff_ms = 20,
        .queue_max = 10,
        .drain_ms = 1000,
    };
    struct mailer *m = NULL;
    assert_int_equal(mailer_new(&o, &m), 0);
    struct mail_message msg = {.to = "a@example.org", .subject = "s", .text = "t"};
    int64_t t0 = time_mono_ms();
    assert_int_equal(mail_send(m, &msg), 0);
    /* mail_send returns at once, whatever the network does. */
    assert_true(time_mono_ms() - t0 < 100);
    assert_int_equal(mailer_wait_idle(m, 10000), 0);
    struct mail_stats st;
    mailer_stats(m, &st);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.retried, 3);
    assert_int_equal(st.dropped, 1);
    /* Backoff doubles: 20 + 40 + 80 ms at least between the four tries. */
    assert_true(time_mono_ms() - t0 >= 140);
    mailer_free(m);
}

static void stopping_is_bounded(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", dead_port());
    struct mail_options o = {
        .driver = MAIL_DRIVER_SMTP,
        .from = "latchkey@example.com",
        .smtp_url = url,
        .timeout_s = 30,
        .retries = 5,
        .backoff_ms = 60000, /* the retry would be due in a minute */
        .queue_max = 2,
        .drain_ms = 300,
    };
    struct mailer *m = NULL;
    assert_int_equal(mailer_new(&o, &m), 0);
    struct mail_message msg = {.to = "a@example.org", .subject = "s", .text = "t"};
    assert_int_equal(mail_send(m, &msg), 0);
    assert_int_equal(mail_send(m, &msg), 0);
    /* The queue holds at most queue_max messages. */
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++)
        rc = mail_send(m, &msg);
    assert_int_equal(rc, ERR_BUSY);
    int64_t t0 = time_mono_ms();
    mailer_free(m);
    assert_true(time_mono_ms() - t0 < 3000);
}

/* What the deferred jobs saw, in order. */
struct job_log {
    struct mailer *m;
    pthread_t caller;
    int order[4];
    int n;
    bool other_thread;
    int send_rc;
};

struct job {
    struct job_log *log;
    int id;
};

static void job_run(void *arg)
{
    struct job *j = arg;
    struct job_log *l = j->log;
    l->order[l->n++] = j->id;
    l->other_thread = !pthread_equal(pthread_self(), l->caller);
    if (j->id == 2) {
        struct mail_message msg = {.to = "job@example.org", .subject = "s", .text = "t"};
        l->send_rc = mail_send(l->m, &msg);
    }
    free(j);
}

static void deferred_jobs_run_in_order(void **state)
{
    struct fixture *f = *state;
    struct mail_options o = log_options(f->outbox);
    struct job_log log = {.caller = pthread_self(), .send_rc = -1};
    assert_int_equal(mailer_new(&o, &log.m), 0);
    for (int i = 1; i <= 3; i++) {
        struct job *j = calloc(1, sizeof(*j));
        *j = (struct job){.log = &log, .id = i};
        assert_int_equal(mail_defer(log.m, job_run, j), 0);
    }
    assert_int_equal(mailer_wait_idle(log.m, 5000), 0);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.order[0], 1);
    assert_int_equal(log.order[1], 2);
    assert_int_equal(log.order[2], 3);
    assert_true(log.other_thread);
    assert_int_equal(log.send_rc, 0); /* a job may queue mail */
    struct mail_stats st;
    mailer_stats(log.m, &st);
    assert_int_equal(st.sent, 1);
    mailer_free(log.m);
    int dummy = 0;
    assert_int_equal(mail_defer(NULL, job_run, &dummy), ERR_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(outbox_writes_private_files, setup, teardown),
        cmocka_unit_test_setup_teardown(send_refuses_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_driver_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(smtp_failures_are_retried_then_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(stopping_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(deferred_jobs_run_in_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
