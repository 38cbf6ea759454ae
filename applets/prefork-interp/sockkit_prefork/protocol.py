"""The wire protocol of prefork-interp, server side: chiark-utils 7.0.0
plus the sockkit-x1 extension (prefork-interp(1), PROTOCOL).

Everything here works on sockets and descriptors only; nothing keeps
state.  The server, the spares and the executors all use it.
"""

import errno
import fcntl
import os
import signal
import socket
import stat
import struct

try:
    import _socket               # the C type under socket.socket
    PlainSocket, _plain_pair = _socket.socket, _socket.socketpair
except (ImportError, AttributeError):
    PlainSocket, _plain_pair = socket.socket, socket.socketpair

ENV_NAME = "PREFORK_INTERP"
EXT_WORD = "sockkit-x1"          # capability word: PREFORK_INTERP and xdata
MAX_REQUEST = 16 << 20           # bound on the env/argv block
MAX_EXT_BLOCK = 4096             # bound on sockkit-x1's extra block
REQUEST_TIMEOUT = 30             # seconds for a caller to send its request

# Wire codes of forwarded signals (sockkit-x1): fixed numbers, mapped to
# this system's signals, so that both ends agree whatever the architecture.
WIRE_SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 10: "SIGUSR1",
                12: "SIGUSR2", 15: "SIGTERM", 18: "SIGCONT", 20: "SIGTSTP",
                28: "SIGWINCH"}
REC_STATUS = 0x58                # 'X' + u32 wait status, then close
REC_STOPPED = 0x54               # 'T' + u32 wire code: the client stops too

ANC_SPACE = socket.CMSG_SPACE(8 * 4)
# Descriptors received close on exec, as every other one a call process
# keeps (Linux 2.6.23; PyPy 3.9 lacks the name).
MSG_CMSG_CLOEXEC = getattr(socket, "MSG_CMSG_CLOEXEC", 0x40000000)


class ProtocolError(Exception):
    """A peer, or the environment, broke the protocol."""


# ------------------------------------------------------------ PREFORK_INTERP

class StartInfo:
    """What the client told the setup run in PREFORK_INTERP."""

    def __init__(self, since_ns, fds, ext, rundir_fd, extra=()):
        self.since_ns = since_ns     # the socket's mtime after bind
        self.listen_fd, self.call_fd, self.watchi, self.watche = fds
        self.ext = ext               # the client reads xdata: offer x1
        self.rundir_fd = rundir_fd   # sockkit-x1's 5th fd, or None
        self.extra = list(extra)     # named but not used: closed


def _decimal(text, what):
    if not text.isdigit() or not text.isascii():
        raise ProtocolError("%s: %r is not a decimal number" % (what, text))
    return int(text)


def parse_env(value):
    """PREFORK_INTERP "v1,SEC.NSEC L,C,WI,WE[,RUNDIR] [WORD...]", checked
    for form only (check_fds looks at the descriptors)."""
    words = value.split(" ")
    if len(words) < 2:
        raise ProtocolError("%r has fewer than two words" % value)
    head = words[0].split(",")
    if len(head) < 2 or head[0] != "v1":
        raise ProtocolError("%r does not start with v1,TIME" % value)
    sec, dot, frac = head[1].partition(".")
    since_ns = _decimal(sec, "time") * 10**9
    if dot:
        _decimal(frac, "time")
        since_ns += int(frac.ljust(9, "0")[:9])
    fds = [_decimal(x, "descriptor") for x in words[1].split(",")]
    if len(fds) < 4:
        raise ProtocolError("%r names fewer than four descriptors" % value)
    ext = EXT_WORD in words[2:]
    rundir = fds[4] if ext and len(fds) > 4 else None
    return StartInfo(since_ns, fds[:4], ext, rundir,
                     fds[5 if rundir is not None else 4:])


def _fd_kind(fd, is_kind, kind):
    """(fstat of fd, None) if fd is open and is_kind(st_mode), else
    (None, why not)."""
    try:
        st = os.fstat(fd)
    except OSError as e:
        return None, "not open (%s)" % os.strerror(e.errno)
    if not is_kind(st.st_mode):
        return None, "not " + kind
    return st, None


def _check_socket(fd, listening):
    st, why = _fd_kind(fd, stat.S_ISSOCK, "a socket")
    if why:
        return why
    s = socket.socket(fileno=fd)
    try:
        if s.family != socket.AF_UNIX or s.type != socket.SOCK_STREAM:
            return "not a unix stream socket"
        accepting = s.getsockopt(socket.SOL_SOCKET,
                                 getattr(socket, "SO_ACCEPTCONN", 30))
        if bool(accepting) != listening:
            return "listening" if accepting else "not listening"
    finally:
        s.detach()
    return None


def _check_pipe(fd, mode):
    st, why = _fd_kind(fd, stat.S_ISFIFO, "a pipe")
    if why:
        return why
    if fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_ACCMODE", 3) != mode:
        return "not the pipe's %s end" % ("write" if mode else "read")
    return None


def check_fds(info):
    """Refuse descriptors that are not what prefork-interp passes: a stray
    PREFORK_INTERP (a direct run that inherited it) or a forged one."""
    checks = [(info.listen_fd, "the listening socket",
               _check_socket(info.listen_fd, True)),
              (info.call_fd, "the first call's socket",
               _check_socket(info.call_fd, False)),
              (info.watchi, "the watcher's input",
               _check_pipe(info.watchi, os.O_WRONLY)),
              (info.watche, "the watcher's output",
               _check_pipe(info.watche, os.O_RDONLY))]
    if info.rundir_fd is not None and _fd_kind(
            info.rundir_fd, stat.S_ISDIR, "a directory")[1]:
        info.extra.append(info.rundir_fd)   # a later client's, for
        info.rundir_fd = None               # something else
    if len({c[0] for c in checks}) != len(checks):
        raise ProtocolError("the same descriptor is named twice")
    for fd, what, why in checks:
        if why:
            raise ProtocolError("descriptor %d, %s, is %s" % (fd, what, why))


# ------------------------------------------------------------------ greeting

def greeting(ext, started=0, calls=0, last_call=0):
    """PFI\\n, u32 N, N bytes of xdata: empty for a 7.0.0 client (which
    reads N in host order and hangs on anything else); for one that said
    it reads xdata, the extension word and the status words."""
    if not ext:
        return b"PFI\n\0\0\0\0"
    words = "%s\0started=%d\0calls=%d\0last-call=%d\0" % (
        EXT_WORD, started, calls, last_call)
    xdata = words.encode()
    return b"PFI\n" + struct.pack(">I", len(xdata)) + xdata


def status_record(ext, status):
    """The end of a call: the raw wait status (7.0.0), or 'X' + status."""
    rec = struct.pack(">I", status & 0xffffffff)
    return bytes([REC_STATUS]) + rec if ext else rec


def stopped_record(sig):
    return struct.pack(">BI", REC_STOPPED, wire_code(sig))


def wire_code(sig):
    for code, name in WIRE_SIGNALS.items():
        if getattr(signal, name, None) == sig:
            return code
    return 0


# --------------------------------------------------------------- credentials

def _find_peercred():
    """SO_PEERCRED's number: the socket module's where it has one (PyPy
    3.9 has not), else the first candidate that reports this very process
    on a socket pair (17 generic, 21 powerpc, 18 mips and alpha)."""
    known = getattr(socket, "SO_PEERCRED", None)
    a, b = socket.socketpair()
    try:
        for opt in ([known] if known is not None else []) + [17, 21, 18]:
            try:
                raw = a.getsockopt(socket.SOL_SOCKET, opt, 12)
            except OSError:
                continue
            if len(raw) == 12 and struct.unpack("3i", raw) == (
                    os.getpid(), os.getuid(), os.getgid()):
                return opt
    finally:
        a.close()
        b.close()
    return None


SO_PEERCRED = _find_peercred()


def peer_uid(conn):
    """The uid of the process at the other end of a unix socket."""
    if SO_PEERCRED is None:
        raise OSError(errno.ENOPROTOOPT, "SO_PEERCRED not found")
    raw = conn.getsockopt(socket.SOL_SOCKET, SO_PEERCRED, 12)
    return struct.unpack("3i", raw)[1]


# ------------------------------------------------------------------- request

def fds_of(anc):
    fds = []
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            k = len(payload) // 4
            fds.extend(struct.unpack("%di" % k, payload[:k * 4]))
    return fds


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            raise ProtocolError("caller went away mid-request")
        data += more
    return data


def _recv_one_fd(conn):
    """One sendmsg of the client: payload byte 00 with one fd."""
    data, anc, flags, _ = conn.recvmsg(1, ANC_SPACE)
    fds = fds_of(anc)
    if data != b"\0" or len(fds) != 1 or flags & socket.MSG_CTRUNC:
        for fd in fds:
            os.close(fd)
        raise ProtocolError("expected one fd with a 00 byte, got %r and %d "
                            "fds" % (data, len(fds)))
    return fds[0]


class Request:
    """One call: its descriptors, environment and arguments."""

    def __init__(self, ext, fds, blob, umask=None):
        self.ext = ext           # sockkit-x1: fds[3] is the caller's cwd
        self.fds = fds
        self.blob = blob
        self.umask = umask

    def environ_and_argv(self):
        """(dict of bytes, list of bytes) from the 7.0.0 block: entries,
        an empty string, then interpreter, script and arguments."""
        strings = self.blob.split(b"\0")
        if len(strings) < 2 or strings.pop() != b"":
            raise ProtocolError("request block does not end with a NUL")
        try:
            end = strings.index(b"")
        except ValueError:
            end = len(strings)
        # NAME=VALUE with a NAME: later ones win, as in execve's array.
        env = dict(s.split(b"=", 1) for s in strings[:end]
                   if s.find(b"=") > 0)
        return env, strings[end + 1:]

    def close(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass


def read_first_byte(conn, offered):
    """The signalling byte, or None: the caller closed without a request
    (a status probe such as prefork-interp --list)."""
    try:
        first = conn.recv(1)
    except ConnectionResetError:
        return None
    if not first:
        return None
    if first[0] not in ((0, 1) if offered else (0,)):
        raise ProtocolError("signalling byte 0x%02x" % first[0])
    return first[0] == 1


def read_request(conn, ext):
    """After the signalling byte: 3 fds, u32 L, L bytes; sockkit-x1 then
    the cwd fd (payload byte 00), u32 M, M bytes (u32 umask first).
    Exact reads: what follows (signal codes) is left for the server."""
    fds = []
    try:
        for _ in range(3):
            fds.append(_recv_one_fd(conn))
        (n,) = struct.unpack(">I", recv_exact(conn, 4))
        if n > MAX_REQUEST:
            raise ProtocolError("request of %d bytes" % n)
        blob = recv_exact(conn, n)
        if not ext:
            return Request(False, fds, blob)
        fds.append(_recv_one_fd(conn))
        (m,) = struct.unpack(">I", recv_exact(conn, 4))
        if not 4 <= m <= MAX_EXT_BLOCK:
            raise ProtocolError("extension block of %d bytes" % m)
        (umask,) = struct.unpack(">I", recv_exact(conn, m)[:4])
        return Request(True, fds, blob, umask & 0o7777)
    except BaseException:
        Request(False, fds, b"").close()
        raise


# ----------------------------------------------------- sockets in call processes
#
# A spare is a fresh fork: every first write to a page copies it, and the
# socket module's Python layer (accept() building a socket.socket, enum
# conversions of family and type, close() through _real_close) touches
# more pages than the system calls themselves.  A spare's sockets are
# therefore of the C type under socket.socket, whose methods are the same
# system calls.

def plain_socket(fd):
    """A unix stream socket for fd (every socket here is one): named, so
    that the constructor does not ask the kernel (three system calls)."""
    return PlainSocket(socket.AF_UNIX, socket.SOCK_STREAM, 0, fd)


def socket_pair(kind=socket.SOCK_STREAM):
    return _plain_pair(socket.AF_UNIX, kind)


def accept_plain(listen):
    """accept(2): a plain socket for the connection.  BlockingIOError
    when none is waiting, as accept() raises."""
    raw_accept = getattr(listen, "_accept", None)
    if raw_accept is None:
        return listen.accept()[0]
    fd, _ = raw_accept()
    return plain_socket(fd)


def drop(sock):
    """Close sock's descriptor, leaving the object closed (fileno -1), so
    that no later teardown of the object closes a number reused since."""
    fd = sock.detach()
    if fd >= 0:
        os.close(fd)


def identity(*socks):
    """Which sockets these descriptors are: a script that closed them
    (os.closerange) may have other files under the same numbers by now."""
    try:
        return [(st.st_dev, st.st_ino) for st in
                (os.fstat(s.fileno()) for s in socks)]
    except OSError:
        return None


def killpg(pid, sig):
    """Signal a call's process group (its process, before it made one)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def send_fd(sock, payload, fd):
    sock.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                              struct.pack("i", fd))])
