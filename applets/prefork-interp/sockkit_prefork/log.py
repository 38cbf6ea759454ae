"""The server's log: syslog where there is a syslog socket, else a file in
the run directory (prefork-interp(1) names it), or a file of the script's
choice, or nothing.
"""

import os
import socket
import stat
import time

LOG_NAME = "sockkit_prefork.log"     # in the run directory, as a fallback
LEVELS = ("debug", "info", "warning", "err")


def _syslog_reachable(path="/dev/log"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def _open_checked(dirfd, name):
    """name in dirfd, appended to; only a regular file of ours."""
    fd = os.open(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
                 | os.O_CLOEXEC | os.O_NONBLOCK, 0o600, dir_fd=dirfd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise OSError("%s is not a regular file of this user" % name)
    os.set_blocking(fd, True)
    return fd


def _socket_dir_fd(listen_fd):
    """The directory of the listening socket's absolute path (Debian's
    client, or a sockkit client without the run directory descriptor),
    opened without following links and checked: ours, and no one else's
    to write."""
    sock = socket.socket(fileno=listen_fd)
    try:
        name = sock.getsockname()
    finally:
        sock.detach()
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not name or not name.startswith("/") or name.startswith("/proc/"):
        raise OSError("the socket's path %r is not usable" % name)
    fd = os.open(os.path.dirname(name), os.O_RDONLY | os.O_DIRECTORY
                 | os.O_NOFOLLOW | os.O_CLOEXEC)
    st = os.fstat(fd)
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        os.close(fd)
        raise OSError("%s is not the user's alone" % os.path.dirname(name))
    return fd


class Log:
    """log(level, message); level one of LEVELS.  debug lines are kept only
    with the environment variable SOCKKIT_PREFORK_DEBUG set at start."""

    def __init__(self, where, ident, rundir_fd=None, listen_fd=None):
        self.ident = ident
        self.fd = -1
        self.syslog = None
        self.where = None        # for messages: where the log goes
        self.debug = bool(os.environ.get("SOCKKIT_PREFORK_DEBUG"))
        if where == "syslog" and _syslog_reachable():
            import syslog
            syslog.openlog("sockkit_prefork %s" % ident,
                           syslog.LOG_PID | syslog.LOG_NDELAY,
                           syslog.LOG_USER)
            self.syslog = syslog
            self.where = "syslog"
        elif where == "syslog":
            self._fallback(rundir_fd, listen_fd)
        elif where:
            self.fd = os.open(where, os.O_WRONLY | os.O_APPEND | os.O_CREAT
                              | os.O_CLOEXEC, 0o600)
            self.where = where

    def _fallback(self, rundir_fd, listen_fd):
        dirfd = rundir_fd
        try:
            if dirfd is None:
                dirfd = _socket_dir_fd(listen_fd)
            self.fd = _open_checked(dirfd, LOG_NAME)
            self.where = "%s in the run directory" % LOG_NAME
        except (OSError, TypeError):
            self.fd = -1         # nowhere safe: errors still reach callers
        finally:
            if dirfd is not None and dirfd != rundir_fd:
                os.close(dirfd)

    def stderr_fd(self):
        """A descriptor for the server's standard error, or -1."""
        return self.fd

    def __call__(self, level, msg):
        if level == "debug" and not self.debug:
            return
        if self.syslog is not None:
            pri = {"err": self.syslog.LOG_ERR,
                   "warning": self.syslog.LOG_WARNING,
                   "debug": self.syslog.LOG_DEBUG}.get(
                       level, self.syslog.LOG_INFO)
            self.syslog.syslog(pri, msg)
        elif self.fd >= 0:
            line = "%s %s[%d] %s: %s\n" % (
                time.strftime("%Y-%m-%dT%H:%M:%S"), self.ident, os.getpid(),
                level, msg)
            try:
                os.write(self.fd, line.encode(errors="backslashreplace"))
            except OSError:
                pass
