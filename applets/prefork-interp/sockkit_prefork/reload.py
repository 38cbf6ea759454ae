"""Reloading: has a file the server was built from changed since it started?

The server watches the script, every module file it had imported, and the
files named with autoreload_also_check() or autoreload_extra.  With
inotify (through libc, by ctypes) a change wakes the server at once; where
that is not available, the files' modification times are compared on every
call instead.
"""

import errno
import os
import select

# IN_MODIFY IN_ATTRIB IN_CLOSE_WRITE IN_DELETE_SELF IN_MOVE_SELF.  IN_ATTRIB
# also reports a link count that drops: an editor that writes a new file
# and renames it over the old one.
IN_MASK = 0x2 | 0x4 | 0x8 | 0x400 | 0x800
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC


def module_files():
    """The absolute file names of the modules imported so far."""
    import sys
    files = []
    for m in list(sys.modules.values()):
        f = getattr(m, "__file__", None)
        if isinstance(f, str) and os.path.isabs(f):
            files.append(f)
    return files


class Watch:
    """The watched files; fd is the inotify descriptor (-1 without)."""

    def __init__(self, files, since_ns, log):
        self.files = sorted(set(files))
        self.since_ns = since_ns
        self.fd = -1
        self.changed = None
        try:
            self.fd = self._start_inotify()
        except Exception as e:   # no ctypes, no libc symbol, no inotify
            log("info", "no inotify (%s): modification times are compared "
                "on every call instead" % e)
        self.changed = self.sweep()

    def _start_inotify(self):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        for f in self.files:
            if libc.inotify_add_watch(fd, os.fsencode(f), IN_MASK) < 0:
                err = ctypes.get_errno()
                if err not in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                    os.close(fd)
                    raise OSError(err, "inotify_add_watch %s: %s"
                                  % (f, os.strerror(err)))
        return fd

    def sweep(self):
        """The first file changed after the server's start, or None."""
        for f in self.files:
            try:
                if os.stat(f).st_mtime_ns > self.since_ns:
                    return f
            except OSError:
                pass
        return None

    def check(self):
        """Has anything changed?  With inotify: any event read so far, or
        one waiting on the descriptor; without: compare mtimes now."""
        if self.changed is None:
            if self.fd >= 0:
                self.drain()
            else:
                self.changed = self.sweep()
        return self.changed

    def drain(self):
        """Events waiting on the descriptor?  Looked at, never read: the
        spares share the descriptor, and one that takes a call after the
        server saw an event must see it too (a read here once let a call
        just after an edit run the old code)."""
        try:
            if select.select([self.fd], [], [], 0)[0]:
                self.changed = self.sweep() or "a watched file"
        except OSError as e:
            self.changed = "a watched file (inotify: %s)" % e.strerror
        return self.changed

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
