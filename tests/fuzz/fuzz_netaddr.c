/*
 * fuzz_netaddr.c - libFuzzer harness: the address parser behind
 * X-Forwarded-For and LATCHKEY_TRUSTED_PROXIES (util/netaddr.h).
 *
 * An address that parses is printed and parsed again: it must come back
 * as the same address, and a network must contain its own address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct netaddr a, b;
    if (!netaddr_parse((const char *)data, size, &a))
        return 0;
    if (!netaddr_contains(&a, &a))
        abort();
    char text[64];
    netaddr_str(&a, text, sizeof(text));
    size_t used = a.family == AF_INET ? 4 : 16;
    if (!netaddr_parse(text, strlen(text), &b) || b.family != a.family ||
        memcmp(a.addr, b.addr, used) != 0 || !netaddr_contains(&a, &b))
        abort();
    return 0;
}
