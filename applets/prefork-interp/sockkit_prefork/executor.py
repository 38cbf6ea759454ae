"""The call's process: a spare forked by the server waits for a call, reads
its request and becomes the caller's process, as a direct run would be.

A spare accepts and greets calls itself (the server is then on no call's
path), or takes one the server hands it.  Once the request is read, the
process gets the caller's descriptors 0-2, working directory and umask
(sockkit-x1), environment, argv, sys.std* streams and default signal
handlers; then initialisation_complete() goes on with the script (rest.py).
"""

import atexit
import codecs
import fcntl
import gc
import io
import os
import select
import signal
import sys

from . import protocol, rest

# Signals whose handling the call starts with at the default (the server
# forwards them to the call's process group under sockkit-x1).
CALL_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2",
                "SIGTSTP", "SIGCONT", "SIGWINCH")


# How this interpreter buffers its standard streams at start-up: CPython
# (3.9 on) makes stderr line-buffered always, and nothing line-buffered
# with -u; PyPy 3.9 line-buffers a terminal, or everything with -u.
LINE_BUFFERED_STDERR = sys.implementation.name != "pypy"


def _started_with_u(orig_argv, started_unbuffered, environ):
    """Whether the interpreter's command line had -u (sys.flags has no
    member for it).  orig_argv: sys.orig_argv (3.10 on), or None; then the
    streams the interpreter made (started_unbuffered: their write_through)
    tell, unless the server's own PYTHONUNBUFFERED made them so."""
    if orig_argv is None:
        return started_unbuffered and not (
            environ.get("PYTHONUNBUFFERED") and not sys.flags.ignore_environment)
    args = iter(orig_argv[1:])
    for arg in args:
        if arg == "--check-hash-based-pycs":
            next(args, None)
            continue
        if arg in ("-", "--") or not arg.startswith("-") or arg.startswith("--"):
            return False                    # the script, or -c/-m's text
        for i, letter in enumerate(arg[1:], 2):
            if letter == "u":
                return True
            if letter in "cm":              # the rest is the program
                return False
            if letter in "WX":              # its value: the rest, or next
                if i == len(arg):
                    next(args, None)
                break
    return False


UNBUFFERED_OPTION = _started_with_u(
    getattr(sys, "orig_argv", None),
    bool(getattr(sys.__stdout__, "write_through", False)), os.environ)


def set_comm(name, fd=None):
    """The process name (comm, 15 bytes) that ps and pkill show; fd: the
    process's /proc/self/comm opened already (closed here)."""
    if fd is None:
        try:
            fd = os.open("/proc/self/comm", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            return
    if fd < 0:
        return
    try:
        if name:
            os.write(fd, os.fsencode(name)[:15])
    except OSError:
        pass
    finally:
        os.close(fd)


class Spare:
    """What a spare keeps of the server: the ways calls come in."""

    def __init__(self, chan, listen, watch, ext, stdio, log):
        self.chan = chan         # socket pair to the server
        self.listen = listen     # the listening socket, if this one accepts
        self.watch = watch       # reload.Watch, for a check before greeting
        self.counters = None     # calls.Counters, shared with the server,
        self.slot = None         # and this process's slot of it
        self.ext = ext           # the client offered sockkit-x1
        self.stdio = stdio       # ((encoding, errors) of stdin, out, err)
        self.log = log

    # -- waiting
    def take_call(self):
        """A connection the server hands over, or one accepted here (after
        telling the server, and greeting it).  With EPOLLEXCLUSIVE (Linux
        4.5; CPython 3.6, not PyPy 3.9) a connection wakes one waiting
        spare, not every one of them to race for it."""
        exclusive = getattr(select, "EPOLLEXCLUSIVE", 0)
        p = select.epoll() if exclusive else select.poll()
        p.register(self.chan, select.POLLIN)
        if self.listen is not None:
            p.register(self.listen, select.POLLIN | exclusive)
        try:
            while True:
                for fd, _ in p.poll():
                    if fd == self.chan.fileno():
                        return self._handed_over()
                    conn = self._accept(p)
                    if conn is not None:
                        return conn
        finally:
            if exclusive:
                p.close()        # the call must not inherit it

    def _handed_over(self):
        try:
            data, anc, _, _ = self.chan.recvmsg(4, protocol.ANC_SPACE,
                                                protocol.MSG_CMSG_CLOEXEC)
        except OSError:
            os._exit(0)
        fds = protocol.fds_of(anc)
        if data != b"H" or len(fds) != 1:
            os._exit(0)          # the server quit: this spare is unneeded
        return protocol.plain_socket(fds[0])

    def _accept(self, p):
        try:
            conn = protocol.accept_plain(self.listen)
        except (BlockingIOError, InterruptedError):
            return None          # another spare, or the server, was faster
        except OSError:
            p.unregister(self.listen)        # shut down: the server quits
            return None
        if not self._peer_is_us(conn):
            return None
        if self._reload_pending():
            self.chan.send(b"Q" + os.fsencode(self.watch.changed or "")[:200])
            conn.close()         # EOF before greeting: the client respawns
            os._exit(0)
        # The server first: if it has quit, the caller gets EOF before any
        # greeting, and starts a new server instead of losing its call.
        try:
            protocol.send_fd(self.chan, b"A", conn.fileno())
        except OSError:
            conn.close()
            os._exit(0)
        try:
            conn.sendall(self.greeting())
        except OSError:
            os._exit(0)          # the caller went away before its call
        return conn

    def _peer_is_us(self, conn):
        try:
            uid = protocol.peer_uid(conn)
        except OSError as e:
            self.log("err", "refused a connection: no peer credentials (%s)"
                     % e)
            conn.close()
            return False
        if uid != os.getuid():
            self.log("warning", "refused a connection from uid %d" % uid)
            conn.close()
            return False
        return True

    def _reload_pending(self):
        """A watched file changed: inotify events waiting (no process
        reads them), or new mtimes."""
        return self.watch.check()

    def greeting(self):
        return protocol.greeting(self.ext, *self.counters.words())

    # -- the request
    def read_request(self, conn):
        """The call's request; a connection closed before its first byte
        (a status probe) ends this process quietly."""
        conn.settimeout(protocol.REQUEST_TIMEOUT)
        try:
            ext = protocol.read_first_byte(conn, self.ext)
            if ext is None:
                self.log("debug", "status probe")
                self._tell(b"N")
                os._exit(0)
            req = protocol.read_request(conn, ext)
            self.counters.mark(self.slot)
        except (OSError, protocol.ProtocolError) as e:
            self.log("warning", "request: %s" % (e or type(e).__name__))
            os._exit(127)
        self._tell(b"R" + bytes([ext]))
        return req

    def _tell(self, news):
        """News for the bookkeeper.  If it has ended (killed) since this
        spare greeted the call, the call still runs: it sends its status
        itself (one that ends through the interpreter's exit has nobody
        to report it, and its caller says so)."""
        try:
            self.chan.send(news)
        except OSError:
            pass


def become_call(spare):
    """In a freshly forked spare: wait for a call, read it, and make this
    process the caller's.  Returns the open connection to the caller."""
    comm = ready_spare(spare)
    conn = spare.take_call()
    if spare.listen is not None:
        protocol.drop(spare.listen)
    spare.watch.close()
    req = spare.read_request(conn)
    apply_call(req, spare.stdio, comm=comm)
    return conn, req.ext


def default_signals():
    """Once, in the server: the signals a call starts with at their
    defaults (SIGINT raising KeyboardInterrupt), whatever the script set
    before initialisation_complete().  Spares inherit them through fork,
    so no call pays for this."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in CALL_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def ready_spare(spare):
    """Before a spare accepts: what every call needs and no request
    decides.  The random module is reseeded here (one spare serves one
    call, so each call still gets its own numbers), /proc/self/comm is
    opened (the name is written once the call's argv is known), and the
    call's set-up is rehearsed (prewarm).  Returns the comm descriptor."""
    if "random" in sys.modules:
        sys.modules["random"].seed()
    try:
        comm = os.open("/proc/self/comm", os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        comm = -1
    if _rehearsal_works[0]:
        try:
            prewarm(spare)
        except Exception as e:   # only a slower call: say so, and serve
            _rehearsal_works[0] = False
            spare.log("warning", "rehearsal in a spare: %s: %s"
                      % (type(e).__name__, e))
    return comm


# ------------------------------------------------------------- the process

def _find_o_path():
    """O_PATH: the os module's, or (PyPy 3.9 has none) the first of the
    architectures' values that opens "/" as a path-only descriptor, one
    that reading fails on with EBADF rather than EISDIR."""
    import errno
    import fcntl
    if hasattr(os, "O_PATH"):
        return os.O_PATH
    for cand in (0o10000000, 0o40000000, 0o20000000, 0x1000000):
        try:
            fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | cand)
        except OSError:
            continue
        try:
            if fcntl.fcntl(fd, fcntl.F_GETFL) & cand:
                os.read(fd, 1)
        except OSError as e:
            if e.errno == errno.EBADF:
                return cand
        finally:
            os.close(fd)
    return 0


O_PATH = _find_o_path()


def _is_closed_standin(fd):
    """The client passes an O_PATH descriptor where the caller had fd 0,
    1 or 2 closed: a direct run would have that fd closed."""
    try:
        return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & O_PATH)
    except OSError:
        return True


def apply_call(req, stdio, dry=False, comm=None):
    """Make this process the caller's (dry: only touch the same memory,
    for prewarm).  The signals were set once in the server, the random
    module reseeded by ready_spare(); comm: see set_comm()."""
    closed = []
    for i in range(3):
        if _is_closed_standin(req.fds[i]):
            closed.append(i)
            if not dry:
                os.close(i)
        elif not dry:
            os.dup2(req.fds[i], i)
    if req.ext and not dry:
        os.fchdir(req.fds[3])
        os.umask(req.umask)
    if not dry:
        req.close()
    env, argv = req.environ_and_argv()
    _set_environ(env)
    # 7.0.0 sends interpreter, script, args: a direct run sees script, args.
    args = [os.fsdecode(s) for s in argv[1:]]
    if args:
        sys.argv[:] = args
    new_stdio(stdio, closed, env)
    if not dry and not LINE_BUFFERED_STDERR:
        # PyPy's exit flushes its files in the order they were made: the
        # server's stream objects (which hooks registered before the hand-
        # over may hold) before the call's.  Flushing the call's between
        # its own hooks and those (atexit runs the last registered first)
        # keeps a direct run's order.
        atexit.register(rest.flush_io)
    if not dry:
        set_comm(os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0]
                 else "", comm)


# The environment as the server had it (set by note_environ()): a call's
# is compared with this plain dict, at C speed, and only what differs goes
# through os.environb (whose every access is Python code, and putenv).
_server_environ = {}


_rehearsal = [b""]               # the request block prewarm() sends
_rehearsal_works = [True]        # False once one failed: spares skip it
_EMPTY_PLAN = rest.Plan(compile("", "<rehearsal>", "exec"), {})
# ... with this variable more than the server's environment: calls rarely
# have exactly the server's (hyperfine, for one, adds a variable).
REHEARSAL_VAR = b"SOCKKIT_PREFORK_REHEARSAL"


# The server's own sys.std* objects: kept alive, so that no call
# deallocates them (a teardown of old objects is writes to old pages).
_server_stdio = []


def note_environ():
    """In the server: its environment, and the request block of a call
    that has the same (built once, not by each spare)."""
    _server_stdio[:] = [sys.stdin, sys.stdout, sys.stderr]
    _server_environ.clear()
    _server_environ.update(os.environb)
    _rehearsal[0] = b"".join(k + b"=" + v + b"\0" for k, v in
                             _server_environ.items()) + REHEARSAL_VAR + \
        b"=1\0\0" + b"\0".join(
        [b"interp"] + [os.fsencode(a) for a in sys.argv]) + b"\0"


def _set_environ(new):
    """Change only what differs: calls from one place mostly share it."""
    base = _server_environ
    if new == base:
        return
    env = os.environb
    for k in [k for k in base if k not in new]:
        del env[k]
    for k, v in new.items():
        if base.get(k) != v:
            env[k] = v


def stdio_defaults():
    """(encoding, errors) of the setup run's stdin, stdout, stderr: what
    this interpreter chose for this locale and these flags."""
    out = []
    for name, errors in (("stdin", "strict"), ("stdout", "strict"),
                         ("stderr", "backslashreplace")):
        s = getattr(sys, name, None)
        out.append((getattr(s, "encoding", None) or "utf-8",
                    getattr(s, "errors", None) or errors))
    return tuple(out)


FS_ENCODING = sys.getfilesystemencoding()
# CPython's start-up gives PYTHONIOENCODING's codec its own name
# (latin-1: iso8859-1); PyPy keeps the name as given.
NAMES_CODEC = sys.implementation.name != "pypy"


def new_stdio(defaults, closed, env):
    """sys.std* on fds 0-2 as Python's start-up makes them: buffering,
    line buffering on a terminal (stderr always), names and modes, newline
    "\\n", PYTHONIOENCODING and PYTHONUNBUFFERED of the caller (env: the
    call's environment as bytes); None for a descriptor the caller had
    closed."""
    enc, _, errs = env.get(b"PYTHONIOENCODING", b"").decode(
        FS_ENCODING, "surrogateescape").partition(":")
    if sys.flags.ignore_environment:        # -E, -I: as a direct run
        enc = errs = ""
    if enc and NAMES_CODEC:
        try:
            enc = codecs.lookup(enc).name
        except LookupError:
            pass                 # TextIOWrapper says so, as at start-up
    if enc and not errs:
        errs = "strict"          # "latin-1" means "latin-1:strict"
    unbuffered = UNBUFFERED_OPTION or (
        bool(env.get(b"PYTHONUNBUFFERED")) and not sys.flags.ignore_environment)
    streams = []
    for fd, (name, mode) in enumerate((("<stdin>", "r"), ("<stdout>", "w"),
                                       ("<stderr>", "w"))):
        if fd in closed:
            streams.append(None)
            continue
        raw = io.FileIO(fd, mode, closefd=False)
        raw.name = name
        write = mode == "w"
        if unbuffered and write:
            buf = raw
        else:
            buf = (io.BufferedWriter if write else io.BufferedReader)(raw)
        try:
            tty = os.isatty(fd)
        except OSError:
            tty = False
        if LINE_BUFFERED_STDERR:
            line = not unbuffered and (tty or fd == 2)
        else:
            line = unbuffered or tty
        s = io.TextIOWrapper(
            buf, encoding=enc or defaults[fd][0],
            # stderr's handler is always backslashreplace
            errors=(fd < 2 and errs) or defaults[fd][1], newline="\n",
            line_buffering=line, write_through=unbuffered)
        s.mode = mode
        streams.append(s)
    sys.stdin = sys.__stdin__ = streams[0]
    sys.stdout = sys.__stdout__ = streams[1]
    sys.stderr = sys.__stderr__ = streams[2]


def prewarm(spare):
    """Rehearse a call while idle: after fork every first write to a page
    copies it, and the call's first steps would pay for those copies.  A
    sockkit-x1 request with the server's environment goes through a
    socket pair and is read, parsed and applied (dry: nothing of this
    process changes), the greeting is built, and the status record."""
    saved = (sys.stdin, sys.stdout, sys.stderr, sys.argv[:])
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    ours, theirs = protocol.socket_pair()
    req = None
    try:
        spare._peer_is_us(ours)
        spare._reload_pending()
        spare.greeting()
        _send_rehearsal(theirs, null)
        ours.settimeout(protocol.REQUEST_TIMEOUT)
        req = protocol.read_request(ours, protocol.read_first_byte(ours,
                                                                   True))
        apply_call(req, spare.stdio, dry=True)
        protocol.identity(ours, theirs)
        os.fsencode(os.path.basename(sys.argv[0] if sys.argv else ""))
        rest.status_of(rest.run(_EMPTY_PLAN))
        rest.fast_exit_possible()
    finally:
        if REHEARSAL_VAR in _server_environ:     # the user's own, put back
            os.environb[REHEARSAL_VAR] = _server_environ[REHEARSAL_VAR]
        else:
            os.environb.pop(REHEARSAL_VAR, None)
        if req is not None:
            req.close()
        ours.close()
        theirs.close()
        os.close(null)
        sys.stdin, sys.stdout, sys.stderr, argv = saved
        sys.argv[:] = argv
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = saved[:3]
    opens, rest.opened_for_writing[0] = rest.opened_for_writing[0], 0
    rest.flush_everything()      # as a call that opened nothing: no walk
    rest.opened_for_writing[0] = opens
    signal.pthread_sigmask(signal.SIG_BLOCK, [])
    protocol.status_record(True, 0)
    if hasattr(gc, "freeze"):
        gc.freeze()              # the exit's gc.get_objects(): the call's only


def warm_up(server, rounds=10):
    """Once, in the server: rehearse a call a few times.  What the first
    runs of that code change for good (the interpreter's specialised
    bytecode and attribute cache, string hashes, objects made on first
    use) is then done before any fork, in pages every spare shares,
    instead of being done again, and copied, in each spare."""
    spare = Spare(None, None, server.watch, server.ext, server.stdio,
                  server.log)
    spare.counters = server.counters
    try:
        for _ in range(rounds):
            prewarm(spare)
    except Exception as e:       # only slower calls: say so, and serve
        _rehearsal_works[0] = False          # spares will not try it
        server.log("warning", "rehearsal in the server: %s: %s"
                   % (type(e).__name__, e))
    if hasattr(gc, "unfreeze"):
        gc.unfreeze()            # the server's gc.collect() sees it all


def _send_rehearsal(sock, fd):
    """What sockkit's client sends (client.c, ext.c), fd standing in for
    each of its descriptors."""
    sock.sendall(b"\1")
    for _ in range(3):
        protocol.send_fd(sock, b"\0", fd)
    sock.sendall(len(_rehearsal[0]).to_bytes(4, "big") + _rehearsal[0])
    protocol.send_fd(sock, b"\0", fd)
    sock.sendall(b"\0\0\0\4\0\0\0\x12")
