/* test_netaddr.c - addresses, CIDR networks and matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "util/netaddr.h"

static struct netaddr parse_ok(const char *s)
{
    struct netaddr n;
    if (!netaddr_parse(s, strlen(s), &n))
        fail_msg("refused %s", s);
    return n;
}

static bool in(const char *net, const char *ip)
{
    struct netaddr n = parse_ok(net), a = parse_ok(ip);
    return netaddr_contains(&n, &a);
}

static void parses_addresses_and_networks(void **state)
{
    (void)state;
    struct netaddr n = parse_ok("10.1.2.3");
    assert_int_equal(n.family, AF_INET);
    assert_int_equal(n.bits, 32);
    n = parse_ok("10.1.2.3/8"); /* host bits cleared */
    assert_int_equal(n.bits, 8);
    char s[64];
    netaddr_str(&n, s, sizeof(s));
    assert_string_equal(s, "10.0.0.0");
    n = parse_ok("2001:db8::1/32");
    assert_int_equal(n.family, AF_INET6);
    assert_int_equal(n.bits, 32);
    netaddr_str(&n, s, sizeof(s));
    assert_string_equal(s, "2001:db8::");
    n = parse_ok("::ffff:192.0.2.7"); /* a dual-stack socket's IPv4 peer */
    assert_int_equal(n.family, AF_INET);
    netaddr_str(&n, s, sizeof(s));
    assert_string_equal(s, "192.0.2.7");
    n = parse_ok("::ffff:10.0.0.0/104");
    assert_int_equal(n.family, AF_INET);
    assert_int_equal(n.bits, 8);
    parse_ok("0.0.0.0/0");
    parse_ok("::/0");
    parse_ok("::1");

    static const char *const bad[] = {
        "",
        "localhost",
        "10.0.0.1:80",
        "[::1]",
        "10.0.0.1/33",
        "::1/129",
        "10.0.0.1/",
        "10.0.0.1/a",
        " 10.0.0.1",
        "10.0.0",
        "10.0.0.1/8/8",
        "::ffff:1.2.3.4/96",
        "1.2.3.4/0008",
        "300.1.1.1",
        "unknown",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct netaddr x;
        if (netaddr_parse(bad[i], strlen(bad[i]), &x))
            fail_msg("accepted \"%s\"", bad[i]);
    }
    /* Only len bytes count: a longer buffer is fine. */
    struct netaddr x;
    assert_true(netaddr_parse("10.0.0.1,10.0.0.2", 8, &x));
    netaddr_str(&x, s, sizeof(s));
    assert_string_equal(s, "10.0.0.1");
}

static void matches_by_prefix(void **state)
{
    (void)state;
    assert_true(in("10.0.0.0/8", "10.255.1.2"));
    assert_false(in("10.0.0.0/8", "11.0.0.1"));
    assert_true(in("192.168.1.0/25", "192.168.1.127"));
    assert_false(in("192.168.1.0/25", "192.168.1.128"));
    assert_true(in("127.0.0.1", "127.0.0.1"));
    assert_false(in("127.0.0.1", "127.0.0.2"));
    assert_true(in("0.0.0.0/0", "203.0.113.9"));
    assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(in("2001:db8::/32", "2001:db9::1"));
    assert_true(in("10.0.0.0/8", "::ffff:10.9.9.9"));
    assert_false(in("::/0", "10.0.0.1")); /* families never mix */
    assert_false(in("0.0.0.0/0", "::1"));

    struct netaddr list[2] = {parse_ok("127.0.0.1"), parse_ok("fd00::/8")};
    struct netaddr a = parse_ok("fd12::5"), b = parse_ok("127.0.0.2");
    assert_true(netaddr_in_list(list, 2, &a));
    assert_false(netaddr_in_list(list, 2, &b));
    assert_false(netaddr_in_list(list, 0, &a));
}

/* The hand-written IPv4 form is inet_ntop's, byte for byte. */
static void ipv4_text_matches_inet_ntop(void **state)
{
    (void)state;
    unsigned char b[4];
    char want[INET_ADDRSTRLEN], got[INET_ADDRSTRLEN];
    /* Every octet value in every position, then random addresses. */
    for (unsigned pos = 0; pos < 4; pos++) {
        for (unsigned v = 0; v < 256; v++) {
            memset(b, 7, sizeof(b));
            b[pos] = (unsigned char)v;
            assert_non_null(inet_ntop(AF_INET, b, want, sizeof(want)));
            netaddr_ipv4_str(b, got);
            assert_string_equal(got, want);
        }
    }
    srand(42);
    for (int i = 0; i < 100000; i++) {
        for (int k = 0; k < 4; k++)
            b[k] = (unsigned char)(rand() & 255);
        assert_non_null(inet_ntop(AF_INET, b, want, sizeof(want)));
        netaddr_ipv4_str(b, got);
        assert_string_equal(got, want);
    }
    struct netaddr n = parse_ok("255.255.255.255");
    netaddr_str(&n, got, sizeof(got));
    assert_string_equal(got, "255.255.255.255");
    n = parse_ok("fd12::5");
    char v6[INET6_ADDRSTRLEN];
    netaddr_str(&n, v6, sizeof(v6));
    assert_string_equal(v6, "fd12::5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_text_matches_inet_ntop),
        cmocka_unit_test(parses_addresses_and_networks),
        cmocka_unit_test(matches_by_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
