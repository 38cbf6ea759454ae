/* UTF-8 checks for text from outside: see text.h. */
#include "text.h"

size_t text_utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	unsigned long c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;               /* a continuation byte, 0xc0, 0xc1, 0xf5.. */
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;               /* overlong, past Unicode, a surrogate */
	return len;
}

int text_is_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	if (len == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

void text_make_printable(char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = text_utf8_len(s + i, len - i);

		if (n == 0 || text_is_control(s + i, n)) {
			for (size_t j = 0; j < (n ? n : 1); j++)
				s[i + j] = '?';
			n = n ? n : 1;
		}
		i += n;
	}
}
