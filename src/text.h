/* Text from outside (file names, a peer's or a file's bytes) shown on a
 * terminal or in JSON: UTF-8 checked, control characters found. */
#ifndef SOCKKIT_TEXT_H
#define SOCKKIT_TEXT_H

#include <stddef.h>

/* The length of the well-formed UTF-8 character at s (n bytes left, n >
 * 0): 1 to 4, or 0 when it is none (a stray continuation byte, an
 * overlong form, a surrogate, past U+10FFFF, or cut short). */
size_t text_utf8_len(const char *s, size_t n);

/* The character of len bytes at s is a control: C0, DEL or C1 (U+0080 to
 * U+009F, which terminals act on as they do on ESC sequences). */
int text_is_control(const char *s, size_t len);

/* In place: every byte of a control character or of what is not UTF-8
 * becomes '?', so that the text shows as one line and nothing in it
 * speaks to the terminal (as ls shows names). */
void text_make_printable(char *s, size_t len);

#endif
