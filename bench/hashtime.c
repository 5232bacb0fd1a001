/*
 * hashtime.c - the hashing bound of scenario 3: how long one argon2id hash
 * takes on this machine, with the parameters the server uses
 * (LATCHKEY_ARGON2_OPSLIMIT, LATCHKEY_ARGON2_MEMLIMIT_KIB; PHP's defaults
 * otherwise).
 *
 *   hashtime [N]   hashes N times (default 5) on one thread, prints the
 *                  median in milliseconds ("hash_ms=91.3")
 *   hashtime N T   then T threads hash N times each, all at once, and it
 *                  also prints their throughput ("parallel_per_s=9.8")
 *
 * A login costs one verification, which runs the same function as a hash,
 * so cores / this time is the most logins per second the machine can do
 * (the bound). The parallel figure shows what the machine really
 * does with every core hashing: the hashes then share the memory bus and
 * the caches (64 MiB each), so it is lower.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/password.h"
#include "crypto/random.h"

#define MAX_RUNS 64

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct job {
    const struct password_params *p;
    int n;
    int failed;
};

static void *hash_n(void *arg)
{
    struct job *j = arg;
    char out[PASSWORD_HASH_MAX];
    for (int i = 0; i < j->n; i++) {
        if (password_hash(j->p, "correct horse battery staple", out) != 0)
            j->failed = 1;
    }
    return NULL;
}

/* T threads hashing n times each at once: hashes per second. */
static double parallel_rate(const struct password_params *p, int n, int t)
{
    pthread_t th[MAX_RUNS];
    struct job jobs[MAX_RUNS];
    double t0 = now_ms();
    for (int i = 0; i < t; i++) {
        jobs[i] = (struct job){.p = p, .n = n};
        if (pthread_create(&th[i], NULL, hash_n, &jobs[i]) != 0)
            return -1;
    }
    int failed = 0;
    for (int i = 0; i < t; i++) {
        pthread_join(th[i], NULL);
        failed |= jobs[i].failed;
    }
    double secs = (now_ms() - t0) / 1e3;
    return failed ? -1 : (double)(n * t) / secs;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    if (n < 1 || n > MAX_RUNS || threads < 0 || threads > MAX_RUNS) {
        fprintf(stderr, "usage: hashtime [1..%d [THREADS]]\n", MAX_RUNS);
        return 2;
    }
    if (crypto_init() != 0) {
        fprintf(stderr, "hashtime: libsodium failed to initialise\n");
        return 1;
    }
    struct password_params p = password_default_params();
    const char *ops = getenv("LATCHKEY_ARGON2_OPSLIMIT");
    const char *mem = getenv("LATCHKEY_ARGON2_MEMLIMIT_KIB");
    if (ops != NULL && *ops != '\0')
        p.opslimit = strtoull(ops, NULL, 10);
    if (mem != NULL && *mem != '\0')
        p.memlimit = (size_t)strtoull(mem, NULL, 10) * 1024;
    double ms[MAX_RUNS];
    char out[PASSWORD_HASH_MAX];
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        if (password_hash(&p, "correct horse battery staple", out) != 0) {
            fprintf(stderr, "hashtime: password_hash failed\n");
            return 1;
        }
        ms[i] = now_ms() - t0;
    }
    qsort(ms, (size_t)n, sizeof(ms[0]), cmp_double);
    printf("hash_ms=%.2f\n", ms[n / 2]);
    if (threads > 0) {
        double rate = parallel_rate(&p, n, threads);
        if (rate < 0) {
            fprintf(stderr, "hashtime: parallel hashing failed\n");
            return 1;
        }
        printf("parallel_per_s=%.2f\n", rate);
    }
    return 0;
}
