/* An LD_PRELOAD shim that holds prefork-interp still at one moment, so a
 * test can change the file system under it (the swap of a run directory
 * between the client's checks and its deletions).  Not part of the
 * applet: release builds have no such hook.
 *
 * PFI_SHIM_PAUSE=DIR: the first unlinkat() of a name starting with 's'
 * writes "paused" into the FIFO DIR/paused, waits for a line on the FIFO
 * DIR/go, then goes on; later calls pass straight through.  Unset, every
 * call passes through unchanged. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The libc function a wrapper passes on to.  ISO C has no conversion
 * from dlsym's object pointer to a function pointer; copy the bits. */
#define REAL(fp, name) do { \
		void *sym_ = dlsym(RTLD_NEXT, name); \
		memcpy(&(fp), &sym_, sizeof(fp)); \
	} while (0)

/* Only the client: the programs it runs (the interpreter of a server,
 * perhaps linked against another libc than the shim) do without it. */
__attribute__((constructor)) static void only_here(void)
{
	unsetenv("LD_PRELOAD");
}

static void pause_here(const char *dir)
{
	char path[4096], line[64];
	FILE *f;

	snprintf(path, sizeof path, "%s/paused", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("paused\n", f);
		fclose(f);
	}
	snprintf(path, sizeof path, "%s/go", dir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
}

int unlinkat(int dirfd, const char *name, int flags)
{
	int (*real)(int, const char *, int);
	const char *dir = getenv("PFI_SHIM_PAUSE");

	REAL(real, "unlinkat");
	if (dir && name[0] == 's') {
		char *copy = strdup(dir);

		unsetenv("PFI_SHIM_PAUSE");     /* once, in this process only */
		if (copy)
			pause_here(copy);
		free(copy);
	}
	return real(dirfd, name, flags);
}
