/* text_utf8_len, text_is_control and text_make_printable over a table of
 * byte strings: ASCII, each UTF-8 length, the malformed forms, C0, DEL
 * and C1 (raw and as UTF-8). */
#include <string.h>

#include "tap.h"
#include "text.h"

static const struct {
	const char *in, *printable, *name;
} cases[] = {
	{ "plain /tmp/x y", "plain /tmp/x y", "ASCII stays" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	  "2, 3 and 4-byte characters stay" },
	{ "a\nb\tc\x1b[2Jd\x7f", "a?b?c?[2Jd?", "C0 and DEL become ?" },
	{ "x\xc2\x9b" "31mRED", "x??31mRED", "C1 CSI as UTF-8 becomes ?? (xterm acts on it)" },
	{ "x\xc2\x85y\xc2\xa0z", "x??y\xc2\xa0z", "NEL (C1) goes, NO-BREAK SPACE stays" },
	{ "x\x9b" "2J", "x?2J", "a bare C1 byte (not UTF-8) becomes ?" },
	{ "\xff\xfe", "??", "bytes never in UTF-8 become ?" },
	{ "\xc0\xaf", "??", "an overlong / becomes ??" },
	{ "\xe0\x80\xaf", "???", "an overlong 3-byte form becomes ???" },
	{ "\xed\xa0\x80", "???", "a surrogate becomes ???" },
	{ "\xf4\x90\x80\x80", "????", "past U+10FFFF becomes ????" },
	{ "ab\xe2\x82", "ab??", "a character cut short at the end" },
	{ "\xe2\x82" "A", "??A", "a character cut short before ASCII" },
	{ "\x80z", "?z", "a stray continuation byte" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[64];
		size_t n = strlen(cases[i].in);

		memcpy(buf, cases[i].in, n + 1);
		text_make_printable(buf, n);
		tap_is_str(buf, cases[i].printable, cases[i].name);
	}
	tap_is_int((int)text_utf8_len("\xc3\xa9", 1), 0, "a 2-byte lead with 1 byte left: none");
	tap_is_int((int)text_utf8_len("\xf0\x9f\x98\x80", 4), 4, "a 4-byte character: 4");
	tap_ok(!text_is_control("\xc2\xa0", 2) && text_is_control("\xc2\x80", 2) &&
	       text_is_control("\x1f", 1) && !text_is_control(" ", 1), "controls: C0, DEL, C1 only");
	return tap_done();
}
