/*
 * prune.c - `latchkey prune [--dry-run] [--batch N] [--json]`: removes the
 * rows that ended (core/prune.h) once, in batches, and says how many of
 * each kind.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/prune.h"

static const char prune_usage[] =
    "usage: latchkey prune [--dry-run] [--batch N] [--json]\n\n"
    "Deletes expired or revoked tokens, used or expired password resets and accepted,\n"
    "cancelled or expired invitations once they ended LATCHKEY_PRUNE_AFTER ago (24h),\n"
    "ended dashboard sessions, and audit entries older than LATCHKEY_AUDIT_RETENTION\n"
    "(unset or 0: kept forever). Deletes at most N rows per transaction (1000) with a\n"
    "short pause between, so a running server keeps answering. --dry-run counts only.\n"
    "`serve` runs the same every LATCHKEY_PRUNE_INTERVAL (1h; 0 = off).\n";

static void print(const struct prune_report *r, bool dry_run, bool json)
{
    if (json) {
        json_t *counts = json_object();
        for (int k = 0; k < STORE_PRUNE_KINDS; k++)
            json_object_set_new(counts, prune_kind_name(k), json_integer(r->count[k]));
        cli_print_json(json_pack("{s:b, s:b, s:o}", "dry_run", dry_run, "skipped", r->skipped,
                                 dry_run ? "would_delete" : "deleted", counts));
        return;
    }
    if (r->skipped) {
        printf("skipped: another latchkey instance is pruning this database now\n");
        return;
    }
    for (int k = 0; k < STORE_PRUNE_KINDS; k++)
        printf("%-16s %lld%s\n", prune_kind_name(k), (long long)r->count[k],
               dry_run ? " (dry run: nothing deleted)" : "");
}

int cli_prune(int argc, char **argv)
{
    struct cli_opt o[] = {{"dry-run", false, NULL}, {"batch", true, NULL}, {NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 0, prune_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    struct prune_options po = {
        .now = server_now(&r.srv),
        .batch = PRUNE_BATCH_DEFAULT,
        .pause_ms = PRUNE_PAUSE_MS,
        .dry_run = cli_get(o, "dry-run") != NULL,
    };
    const char *batch = cli_get(o, "batch");
    if (batch != NULL) {
        char *end = NULL;
        long long v = strtoll(batch, &end, 10);
        if (end == batch || *end != '\0' || v < 1 || v > PRUNE_BATCH_MAX)
            return cli_end(
                &r, cli_error(CLI_USAGE, "--batch must be a number from 1 to %d", PRUNE_BATCH_MAX));
        po.batch = v;
    }
    struct prune_report rep;
    rc = prune_run(&r.srv, &po, &rep);
    if (rc != 0)
        return cli_end(&r, cli_fail(rc, "prune"));
    print(&rep, po.dry_run, r.json);
    return cli_end(&r, CLI_OK);
}
