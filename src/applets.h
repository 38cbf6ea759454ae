/* The applet table, built from meson's applet_names: each applet declares
 * itself once, as "const struct cmd NAME_applet" in its own folder. */
#ifndef SOCKKIT_APPLETS_H
#define SOCKKIT_APPLETS_H

#include <stddef.h>

#include "opt.h"

extern const struct cmd *const applets[];
extern const size_t applet_count;

const struct cmd *applet_find(const char *name);

#endif
