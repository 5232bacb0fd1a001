/*
 * netaddr.h - IPv4/IPv6 addresses and networks (CIDR), for trusting the
 * X-Forwarded-For of known proxies (LATCHKEY_TRUSTED_PROXIES).
 *
 * Plain values, no allocation. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is stored as the IPv4 address it maps, so a dual-stack
 * socket's peers match IPv4 networks.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct netaddr {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network byte order; 4 bytes used for AF_INET */
    unsigned bits;          /* prefix length; 32 or 128 for a single address */
};

/*
 * Parses s[0..len): "a.b.c.d", "a.b.c.d/n", "x:y::z", "x:y::z/n" (n up to
 * 32 or 128). Host bits beyond the prefix are cleared. Returns false on
 * anything else (names, ports, brackets, spaces).
 */
bool netaddr_parse(const char *s, size_t len, struct netaddr *out);
/* Whether the address ip lies inside net (different families never match). */
bool netaddr_contains(const struct netaddr *net, const struct netaddr *ip);
/* Whether ip lies inside any of the n networks of list. */
bool netaddr_in_list(const struct netaddr *list, size_t n, const struct netaddr *ip);
/* Writes the IPv4 address b[0..3] (network order) as "a.b.c.d", exactly
 * what inet_ntop writes, in a fraction of its time (once per request);
 * out holds at least 16 bytes. */
void netaddr_ipv4_str(const unsigned char *b, char *out);
/* Writes ip's address (without the prefix) as text. */
void netaddr_str(const struct netaddr *ip, char *out, size_t outlen);
