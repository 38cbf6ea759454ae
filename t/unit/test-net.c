/* Address parsing and printing. */
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
	parse_numeric_addr("10.0.0.1", AF_INET, 9, &ss, &len);
	tap_is_str(sockaddr_text((struct sockaddr *)&ss, 0, buf, sizeof buf), "10.0.0.1",
		   "text without port");
	tap_is_int(sockaddr_port((struct sockaddr *)&ss), 9, "port");
	return tap_done();
}
