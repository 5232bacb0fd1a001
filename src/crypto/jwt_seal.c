/*
 * jwt_seal.c - JWT private keys at rest (see jwt.h): libsodium's
 * crypto_secretbox (XSalsa20-Poly1305) under the key encryption key, which
 * lives outside the database (LATCHKEY_KEY_ENCRYPTION_KEY or a key file).
 *
 * A sealed key is the text "sealed:v1:" followed by the standard base64 of
 * nonce (24 random bytes) || secretbox(PEM). A text without that prefix is
 * a clear PEM, as keys were stored before (keyring.c seals them at the
 * next start). The key file holds the key as standard base64 and a
 * newline; it is created with O_EXCL and mode 0600 (never through a
 * link), so two instances starting at once agree on one key.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/jwt.h"
#include "crypto/jwt_int.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SEALED_PREFIX "sealed:v1:"
#define B64           sodium_base64_VARIANT_ORIGINAL
#define KEK_TEXT_MAX  128 /* bytes read from a key file */

bool jwt_key_is_sealed(const char *text)
{
    return strncmp(text, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1) == 0;
}

char *jwt_key_seal(const unsigned char kek[JWT_KEK_BYTES], const char *pem)
{
    size_t len = strlen(pem);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    unsigned char *box = xmalloc(blen);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)pem, len, box,
                          kek);
    size_t tlen = sodium_base64_encoded_len(blen, B64);
    char *text = xmalloc(sizeof(SEALED_PREFIX) - 1 + tlen);
    memcpy(text, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1);
    sodium_bin2base64(text + sizeof(SEALED_PREFIX) - 1, tlen, box, blen, B64);
    free(box);
    return text;
}

int jwt_key_open(const unsigned char kek[JWT_KEK_BYTES], const char *text, char **pem)
{
    *pem = NULL;
    if (!jwt_key_is_sealed(text))
        return ERR_INVALID;
    const char *b64 = text + sizeof(SEALED_PREFIX) - 1;
    size_t tlen = strnlen(b64, 2 * JWT_PEM_MAX + 1), blen = 0;
    if (tlen > 2 * JWT_PEM_MAX)
        return ERR_LIMIT;
    unsigned char *box = xmalloc(tlen);
    int rc = ERR_INVALID;
    if (sodium_base642bin(box, tlen, b64, tlen, NULL, &blen, NULL, B64) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        goto out;
    size_t len = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *clear = xmalloc(len + 1);
    if (crypto_secretbox_open_easy((unsigned char *)clear, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, kek) != 0) {
        free(clear);
        rc = ERR_CRYPTO; /* another key, or altered */
        goto out;
    }
    clear[len] = '\0';
    *pem = clear;
    rc = 0;
out:
    free(box);
    return rc;
}

int jwt_kek_parse(const char *text, unsigned char kek[JWT_KEK_BYTES])
{
    unsigned char raw[JWT_KEK_BYTES + 1];
    size_t n = 0;
    size_t len = strnlen(text, KEK_TEXT_MAX + 1);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    int rc = len <= KEK_TEXT_MAX &&
                     sodium_base642bin(raw, sizeof(raw), text, len, NULL, &n, NULL, B64) == 0 &&
                     n == JWT_KEK_BYTES
                 ? 0
                 : ERR_INVALID;
    if (rc == 0)
        memcpy(kek, raw, JWT_KEK_BYTES);
    secure_wipe(raw, sizeof(raw));
    return rc;
}

/* Reads the key file at path. A link is followed: secret stores mount
 * their files through links (Kubernetes' ..data/). */
static int read_kek_file(const char *path, unsigned char kek[JWT_KEK_BYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
    char text[KEK_TEXT_MAX + 1];
    ssize_t n = read(fd, text, KEK_TEXT_MAX);
    close(fd);
    if (n < 0)
        return ERR_IO;
    text[n] = '\0';
    int rc = jwt_kek_parse(text, kek);
    secure_wipe(text, sizeof(text));
    return rc;
}

/* Creates the directory of path if it is missing (one level, 0700): the
 * default ./var/ of a PostgreSQL deployment. */
static void make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path || (size_t)(slash - path) >= 4096)
        return;
    char dir[4096];
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    (void)mkdir(dir, 0700);
}

int jwt_kek_create(const char *path, unsigned char kek[JWT_KEK_BYTES])
{
    make_parent(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return errno == EEXIST ? ERR_CONFLICT : ERR_IO;
    randombytes_buf(kek, JWT_KEK_BYTES);
    char text[sodium_base64_ENCODED_LEN(JWT_KEK_BYTES, B64) + 1];
    sodium_bin2base64(text, sizeof(text) - 1, kek, JWT_KEK_BYTES, B64);
    size_t len = strlen(text);
    text[len++] = '\n';
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    secure_wipe(text, sizeof(text));
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        unlink(path);
        return ERR_IO;
    }
    return 0;
}

int jwt_kek_load(const char *path, bool create, unsigned char kek[JWT_KEK_BYTES], bool *created)
{
    *created = false;
    int rc = read_kek_file(path, kek);
    if (rc != ERR_NOT_FOUND || !create)
        return rc;
    rc = jwt_kek_create(path, kek);
    if (rc == ERR_CONFLICT) /* another instance made it first: use its key */
        return read_kek_file(path, kek);
    *created = rc == 0;
    return rc;
}
