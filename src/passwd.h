/* getpwuid for the static build (see passwd.c for why). */
#ifndef SOCKKIT_PASSWD_H
#define SOCKKIT_PASSWD_H

#include <pwd.h>
#include <sys/types.h>

/* The account of uid, found as musl's getpwuid finds it: the first
 * well-formed line of passwd_file (normally /etc/passwd) with that uid;
 * when the file was read and has none, the answer of the nscd daemon at
 * nscd_socket (glibc's protocol; none listening means none known),
 * which gets timeout_ms to answer.
 * NULL with errno unchanged when there is no such account, or with errno
 * when the file cannot be read or nscd answers wrongly (EIO).  The entry
 * lasts until the next call. */
struct passwd *passwd_by_uid(uid_t uid, const char *passwd_file, const char *nscd_socket,
			     int timeout_ms);

#endif
