/* tmpdir.h - removing a test case's temporary directory (databases,
 * outboxes) with everything in it; shared by the unit tests. */
#pragma once
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int tmpdir_rm_entry(const char *path, const struct stat *sb, int flag,
                                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything below it (errors ignored: best effort). */
static inline void tmpdir_remove(const char *dir)
{
    nftw(dir, tmpdir_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
