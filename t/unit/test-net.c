/* Address parsing and printing. */
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include "net.h"
#include "tap.h"

static void roundtrip(const char *text, int family, unsigned port, const char *want,
		      const char *name)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];
	int r = parse_numeric_addr(text, family, port, &ss, &len);

	if (!tap_ok(r == 0, name)) {
		printf("# getaddrinfo: %s\n", gai_strerror(r));
		return;
	}
	tap_is_str(sockaddr_text((struct sockaddr *)&ss, 1, buf, sizeof buf), want, name);
}

/* An IPv6 %scope, as getaddrinfo's numeric form took it: a name or index. */
static void scopes(void)
{
	static const struct {
		const char *text;
		unsigned scope;         /* 0: refused */
		const char *name;
	} cases[] = {
		{ "fe80::1%1", 1, "scope by index" },
		{ "fe80::1%4294967295", 4294967295u, "the largest index" },
		{ "fe80::1%4294967296", 0, "an index past 32 bits refused" },
		{ "fe80::1%", 0, "an empty scope refused" },
		{ "fe80::1%1x", 0, "an index with junk refused" },
		{ "fe80::1%no-such-if0", 0, "an unknown interface refused" },
		{ "fe80::1%lo-and-then-more-than-fits", 0,
		  "a name longer than an interface's refused" },
		{ "fe80::1%%1", 0, "a second % refused" },
		{ "fe80:0000:0000:0000:0000:0000:0000:0001%1", 1,
		  "the longest IPv6 text with a scope" },
	};
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
	socklen_t len;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = parse_numeric_addr(cases[i].text, AF_INET6, 0, &ss, &len);

		char name[96];

		snprintf(name, sizeof name, "%s: sin6_scope_id", cases[i].name);
		if (cases[i].scope == 0)
			tap_ok(r != 0, cases[i].name);
		else if (tap_ok(r == 0, cases[i].name))
			tap_is_int(sin6->sin6_scope_id, cases[i].scope, name);
	}
	tap_ok(parse_numeric_addr("fe80::1%lo", AF_UNSPEC, 0, &ss, &len) == 0 &&
	       sin6->sin6_scope_id == if_nametoindex("lo"), "scope by interface name (lo)");
}

int main(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];

	roundtrip("127.0.0.1", AF_UNSPEC, 80, "127.0.0.1:80", "IPv4");
	roundtrip("::1", AF_UNSPEC, 65535, "[::1]:65535", "IPv6 (KAME's -o ::1 failed here)");
	roundtrip("::ffff:127.0.0.1", AF_INET6, 0, "[::ffff:127.0.0.1]:0", "mapped");
	tap_ok(parse_numeric_addr("localhost", AF_UNSPEC, 0, &ss, &len) != 0,
	       "names are refused: no DNS");
	tap_ok(parse_numeric_addr("1.2.3.4.5", AF_UNSPEC, 0, &ss, &len) != 0, "garbage refused");
	tap_ok(parse_numeric_addr("::1", AF_INET, 0, &ss, &len) != 0, "family mismatch refused");
	tap_ok(parse_numeric_addr("127.0.0.1", AF_INET6, 0, &ss, &len) != 0,
	       "IPv4 text for AF_INET6 refused");
	tap_ok(parse_numeric_addr("127.1", AF_UNSPEC, 0, &ss, &len) != 0,
	       "inet_aton's shorthand refused: inet_pton forms only");
	scopes();
	parse_numeric_addr("10.0.0.1", AF_INET, 9, &ss, &len);
	tap_is_str(sockaddr_text((struct sockaddr *)&ss, 0, buf, sizeof buf), "10.0.0.1",
		   "text without port");
	tap_is_int(sockaddr_port((struct sockaddr *)&ss), 9, "port");
	return tap_done();
}
