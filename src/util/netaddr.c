/* netaddr.c - address and CIDR parsing and matching with inet_pton. */
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Clears the bits after the prefix. */
static void mask(struct netaddr *n)
{
    size_t len = n->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < len; i++) {
        unsigned keep = n->bits > i * 8 ? n->bits - (unsigned)i * 8 : 0;
        if (keep < 8)
            n->addr[i] &= (unsigned char)(0xff00u >> keep);
    }
}

bool netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
    char buf[64];
    memset(out, 0, sizeof(*out));
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash != NULL) {
        *slash = '\0';
        const char *p = slash + 1;
        if (*p == '\0' || strlen(p) > 3)
            return false;
        bits = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            bits = bits * 10 + (*p - '0');
        }
    }
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->bits = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        out->bits = 128;
        if (memcmp(out->addr, v4_mapped, sizeof(v4_mapped)) == 0) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->family = AF_INET;
            out->bits = 32;
            if (bits > 96)
                bits -= 96;
            else if (bits >= 0)
                return false; /* a mapped prefix shorter than the mapping itself */
        }
    } else {
        return false;
    }
    if (bits >= 0) {
        if ((unsigned long)bits > out->bits)
            return false;
        out->bits = (unsigned)bits;
    }
    mask(out);
    return true;
}

bool netaddr_contains(const struct netaddr *net, const struct netaddr *ip)
{
    if (net->family != ip->family)
        return false;
    struct netaddr m = *ip;
    m.bits = net->bits;
    mask(&m);
    return memcmp(m.addr, net->addr, net->family == AF_INET ? 4 : 16) == 0;
}

bool netaddr_in_list(const struct netaddr *list, size_t n, const struct netaddr *ip)
{
    for (size_t i = 0; i < n; i++) {
        if (netaddr_contains(&list[i], ip))
            return true;
    }
    return false;
}

void netaddr_ipv4_str(const unsigned char *b, char *out)
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

void netaddr_str(const struct netaddr *ip, char *out, size_t outlen)
{
    if (ip->family == AF_INET && outlen >= 16) {
        netaddr_ipv4_str(ip->addr, out);
        return;
    }
    if (inet_ntop(ip->family, ip->addr, out, (socklen_t)outlen) == NULL)
        snprintf(out, outlen, "-");
}
