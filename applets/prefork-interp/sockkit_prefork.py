"""The Python script side of prefork-interp.

A script started through prefork-interp does its expensive set-up (imports,
tables) once, then calls initialisation_complete().  That call turns the
process into a server and returns once per call of the script, each time in
a fresh process that has the caller's argv, environment, stdio and (with the
sockkit client) working directory, umask and signals.  Run directly, without
prefork-interp, initialisation_complete() does nothing and returns.

    #!/usr/bin/sockkit prefork-interp -U /usr/bin/python3
    import sockkit_prefork          # first, see "Exit" below
    import json, sqlite3            # slow start-up work here
    sockkit_prefork.initialisation_complete()
    ... per-call work: sys.argv, os.environ, sys.stdin are the caller's ...

Protocol: chiark-utils 7.0.0 prefork-interp, plus the negotiated sockkit
extension "sockkit-x1" documented in prefork-interp(1), PROTOCOL.

Processes: the server forks spare executors ahead of time, while no call
is working.  A spare accepts and greets a call itself, reads the request,
becomes the caller's process, returns from initialisation_complete(), and
at the end sends the status to the caller itself; the server accepts only
when no spare can, and hands those calls over.  The server is the parent of every executor and checks each status
against wait(); there is no monitor process (one more fork of a big
interpreter per call costs more than the rest of a warm call).

Exit: interpreter teardown of a forked, module-heavy process costs tens of
milliseconds (every object is touched, so every page is copied).  When the
outcome is certain (the main module returned, sys.exit() left it, or an
uncaught exception reached the top) the executor flushes open files and
stdio and leaves with os._exit(); in every other case the normal teardown
runs.  The atexit hook doing this is registered when this module is
imported, so import it before modules that register their own.
"""

import atexit
import errno
import gc
import io
import os
import select
import signal
import socket
import struct
import sys
import time

__all__ = ["initialisation_complete", "autoreload_also_check"]

ENV_NAME = "PREFORK_INTERP"
EXT_WORD = "sockkit-x1"          # capability word: PREFORK_INTERP and xdata
MAX_REQUEST = 16 << 20           # bound on the env/argv block

# Wire codes of forwarded signals (sockkit-x1): fixed numbers, mapped to
# this system's signals, so both ends agree whatever the architecture.
WIRE_SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 10: "SIGUSR1",
                12: "SIGUSR2", 15: "SIGTERM", 18: "SIGCONT", 20: "SIGTSTP",
                28: "SIGWINCH"}
REC_STATUS = 0x58                # 'X' + u32 wait status, then close
REC_STOPPED = 0x54               # 'T' + u32 stop signal: client stops too

_extra_reload = []


def autoreload_also_check(*paths):
    """Also restart the server when one of these files changes."""
    _extra_reload.extend(os.fspath(p) for p in paths)


# ---------------------------------------------------------------- fast exit

class _ExitState:
    active = 0                   # the executor's pid (not its children's)
    done = False
    main_frame = None            # the __main__ module's frame
    last_exit = None             # the SystemExit our sys.exit raised last
    safe = True                  # no atexit hook precedes ours
    chan = None                  # socket to the server, for early status
    conn = None                  # the caller's connection
    ext = False


_ex = _ExitState()
_ex.safe = atexit._ncallbacks() == 0 if hasattr(atexit, "_ncallbacks") \
    else False
_orig_sys_exit = sys.exit


def _sys_exit(status=None):
    """sys.exit, remembering the exception and where it was raised, so
    that the exit hook can tell whether it is what ends the process."""
    exc = SystemExit(*status) if isinstance(status, tuple) \
        else SystemExit(status)
    main = _ex.main_frame
    _ex.last_exit = (exc, main is not None and sys._getframe(1) is main,
                     main.f_lasti if main is not None else -1)
    raise exc


def _exit_code_of(exc):
    """The process exit status Python derives from a SystemExit (it has
    printed a code that is not a number already)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    return 1


def _flush_everything():
    """What teardown would write: open buffered files, then stdio.
    Returns False when flushing stdout failed (Python then exits 120)."""
    for obj in gc.get_objects():
        if isinstance(obj, (io.BufferedWriter, io.BufferedRandom,
                            io.TextIOWrapper)):
            try:
                if not obj.closed:
                    obj.flush()
            except Exception:
                pass
    ok = True
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None:
            continue
        try:
            stream.flush()
        except Exception as e:
            if name == "stdout":
                ok = False
                try:
                    sys.stderr.write("Exception ignored on flushing "
                                     "sys.stdout:\n%s: %s\n"
                                     % (type(e).__name__, e))
                except Exception:
                    pass
    return ok


_ALL_SIGNALS = signal.valid_signals()


def _others_running():
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _fast_exit(code):
    _ex.done = True
    if not _flush_everything():
        code = 120
    if _ex.chan is not None:
        # From here only SIGKILL could change how this process ends; the
        # server compares what we say with what wait() says.  The caller
        # hears first: waking the server first could let it take this CPU.
        signal.pthread_sigmask(signal.SIG_BLOCK, _ALL_SIGNALS)
        for fd in (0, 1, 2):
            os.close(fd)         # the caller's pipes see EOF now
        status = struct.pack(">I", (code & 0xff) << 8)
        try:
            _ex.conn.settimeout(5)
            _ex.conn.sendall(bytes([REC_STATUS]) + status if _ex.ext
                             else status)
            _ex.chan.send(b"S" + status)
        except OSError:
            pass
    os._exit(code)


def _main_frame_outcome():
    """The exit status if the main module's end is certain, else None."""
    frame = _ex.main_frame
    if frame is None:
        return None
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    if 0 <= lasti < len(code) and code[lasti] in _RETURN_OPS:
        return 0
    if _ex.last_exit is None:
        return None
    exc, from_main, lasti_at_call = _ex.last_exit
    tb = exc.__traceback__
    if tb is None:
        # Python <= 3.11 keeps the traceback apart: certain only when
        # sys.exit() was called by the main module itself and the module
        # ran no instruction since (a handler would have).
        return _exit_code_of(exc) if from_main and lasti_at_call == lasti \
            else None
    while tb is not None:        # where it went is on record
        if tb.tb_frame is frame:
            return _exit_code_of(exc) if tb.tb_lasti == lasti else None
        tb = tb.tb_next
    return None


def _at_exit():
    """Registered first, so it runs last of the atexit hooks."""
    if _ex.active != os.getpid() or _ex.done or not _ex.safe:
        return
    if sys._getframe().f_back is not None or _others_running():
        return                   # called by hand, or threads: be normal
    code = _main_frame_outcome()
    if code is not None:
        _fast_exit(code)


atexit.register(_at_exit)


def _excepthook_wrapper(hook):
    def excepthook(etype, value, tb):
        hook(etype, value, tb)
        if (_ex.active != os.getpid() or _ex.done or not _ex.safe
                or sys._getframe().f_back is not None or _others_running()):
            return               # printing an exception, not dying of it
        atexit._run_exitfuncs()  # ours returns: it is not at the top
        if issubclass(etype, KeyboardInterrupt):
            _flush_everything()
            _ex.done = True
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        _fast_exit(1)
    return excepthook


_RETURN_OPS = set()


def _prepare_fast_exit():
    """In the server: find the main frame and rebind sys.exit everywhere."""
    import dis
    for name in ("RETURN_VALUE", "RETURN_CONST"):
        if name in dis.opmap:
            _RETURN_OPS.add(dis.opmap[name])
    main = sys.modules.get("__main__")
    frame = sys._getframe(1)
    found = None
    while frame is not None:
        if (frame.f_code.co_name == "<module>" and main is not None
                and frame.f_globals is vars(main)):
            found = frame
        frame = frame.f_back
    _ex.main_frame = found
    sys.exit = _sys_exit
    for mod in list(sys.modules.values()):
        d = getattr(mod, "__dict__", None)
        if not isinstance(d, dict) or mod is sys:
            continue
        for k, v in list(d.items()):
            if v is _orig_sys_exit:
                d[k] = _sys_exit


# ------------------------------------------------------------------ logging

class _Log:
    def __init__(self, where, ident):
        self.file = None
        self.syslog = None
        self.ident = ident
        if where == "syslog":
            import syslog
            syslog.openlog("prefork-interp %s" % ident,
                           syslog.LOG_PID | syslog.LOG_NDELAY, syslog.LOG_USER)
            self.syslog = syslog
        elif where:
            self.file = open(where, "a", buffering=1)

    def __call__(self, level, msg):
        if self.syslog is not None:
            pri = {"err": self.syslog.LOG_ERR,
                   "warning": self.syslog.LOG_WARNING}.get(
                       level, self.syslog.LOG_INFO)
            self.syslog.syslog(pri, msg)
        elif self.file is not None:
            self.file.write("%s %s[%d] %s: %s\n" % (
                time.strftime("%Y-%m-%dT%H:%M:%S"), self.ident, os.getpid(),
                level, msg))


# ----------------------------------------------------------------- reloading

class _Watch:
    """Tells whether any watched file changed since the server's birth."""

    IN_MASK = 0x2 | 0x4 | 0x8 | 0x400 | 0x800   # MODIFY ATTRIB CLOSE_WRITE
                                                 # DELETE_SELF MOVE_SELF

    def __init__(self, files, since_ns, log):
        self.files = sorted(set(files))
        self.since_ns = since_ns
        self.fd = -1
        self.changed = None
        try:
            self._start_inotify()
        except Exception as e:
            log("info", "no inotify (%s): stat on every call" % e)
            self.fd = -1
        self.changed = self.sweep()

    def _start_inotify(self):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(0o4000 | 0o2000000)   # NONBLOCK | CLOEXEC
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.fd = fd
        for f in self.files:
            if libc.inotify_add_watch(fd, os.fsencode(f), self.IN_MASK) < 0:
                err = ctypes.get_errno()
                if err != errno.ENOENT:
                    os.close(fd)
                    self.fd = -1
                    raise OSError(err, "inotify_add_watch %s" % f)

    def sweep(self):
        for f in self.files:
            try:
                if os.stat(f).st_mtime_ns > self.since_ns:
                    return f
            except OSError:
                pass
        return None

    def check(self):
        """The changed file's name (or "inotify"), else None."""
        if self.changed is None:
            if self.fd >= 0:
                if select.select([self.fd], [], [], 0)[0]:
                    self.changed = "a watched file (inotify)"
            else:
                self.changed = self.sweep()
        return self.changed


# ---------------------------------------------------------------- the server

def _parse_env(value):
    words = value.split(" ")
    if len(words) < 2:
        raise RuntimeError("%s has too few words" % ENV_NAME)
    vs = words[0].split(",")
    if len(vs) < 2 or vs[0] != "v1":
        raise RuntimeError("%s does not say v1,MTIME" % ENV_NAME)
    sec, _, frac = vs[1].partition(".")
    since_ns = int(sec) * 10**9 + int((frac + "000000000")[:9] or 0)
    fds = [int(x) for x in words[1].split(",")]
    if len(fds) < 4:
        raise RuntimeError("%s has too few fds" % ENV_NAME)
    return since_ns, fds[:4], EXT_WORD in words[2:]


class _Call:
    """One caller's connection, from the greeting to its status."""
    __slots__ = ("sock", "ext", "pid", "int_at", "kill_at", "gone", "chan",
                 "cbuf", "reported", "watching", "polled")

    def __init__(self, sock):
        self.sock = sock
        self.ext = False         # the executor read a sockkit-x1 request
        self.pid = 0             # the executor, once handed over
        self.int_at = None       # when the caller's EOF means it has gone
        self.kill_at = None      # when SIGKILL follows the SIGINT
        self.gone = False        # status sent or caller gone: no more I/O
        self.chan = None         # socket to the executor
        self.cbuf = b""
        self.reported = None     # the status the executor sent itself
        self.watching = False    # reading signal codes and EOF from sock
        self.polled = False      # sock is in the epoll set


_ANC = socket.CMSG_SPACE(8 * 4)
REQUEST_TIMEOUT = 30             # seconds for a caller to send its request
EOF_SETTLE = 0.05                # seconds: see _Server.caller_gone
# Executors' messages are not polled for: a send to a process blocked on
# the socket wakes it synchronously, onto the sender's CPU, and the server
# would hold up the call it serves.  The server reads them on every wake-up
# and at least this often (seconds) until each call's request is read.
CHAN_TICK = 0.02
SPARE_TICK = 0.001               # how soon a spare follows a call's status,
SPARE_WATCH = 0.05               # watched for this long after a dispatch


class _Server:
    """Keeps spare executors ready (they accept, greet and read calls
    themselves: the server is off the calls' path), accepts calls itself
    only when no spare can, forwards signals, notices callers that go away,
    reports the wait statuses executors could not report themselves, and
    quits on reload, idle timeout or a lost socket."""

    def __init__(self, opts, since_ns, fds, ext, log):
        self.log = log
        self.max_servers = opts["max_servers"]
        self.idle_timeout = opts["idle_timeout"]
        self.grace = opts["hangup_grace"]
        self.early_status = opts["early_status"]
        self.nspares = max(1, opts["spares"])
        self.refill = True       # make spares up to nspares when idle
        self.listening = True    # listen is polled (no spare to accept)
        self.last_dispatch = 0.0
        self.ext = ext
        self.listen = socket.socket(fileno=fds[0])
        self.listen.setblocking(False)
        self.watchi, self.watche = fds[2], fds[3]
        first = socket.socket(fileno=fds[1])
        for fd in fds:
            os.set_inheritable(fd, False)
        self.calls = {}          # conn fd -> _Call
        self.chans = {}          # executor socket fd -> _Call
        self.by_pid = {}         # executor pid -> _Call
        self.queue = []          # greeted calls waiting for an executor
        self.spares = []         # (pid, socket)
        self.spare_chans = {}    # socket fd -> (pid, socket), polled
        self.accepting = set()   # spares that accept calls themselves;
                                 # the others wait for a queued call
        self.quitting = None
        self.closing = []        # closed after each batch of events
        self.last_busy = time.monotonic()
        self.sel = select.epoll()
        self.sel.register(self.listen.fileno(), select.EPOLLIN)
        self.sel.register(self.watche, select.EPOLLIN)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.sel.register(self.wake_r, select.EPOLLIN)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda s, f: None)
        files = list(_extra_reload) + list(opts["autoreload_extra"])
        if opts["autoreload"]:
            for m in list(sys.modules.values()):
                f = getattr(m, "__file__", None)
                if isinstance(f, str) and os.path.isabs(f):
                    files.append(f)
        self.watch = _Watch(files, since_ns, log)
        self.new_call(first)

    # -- the loop
    def run(self):
        while True:
            if self.quitting and not self.by_pid and not self.queue:
                self.log("info", "quitting: %s" % self.quitting)
                for pid, sock in self.spares:
                    sock.close()
                os._exit(0)
            # Spares accept and greet calls themselves.  They are made when
            # no call is working (a fork and a spare's set-up would compete
            # with it for the CPU): after an executor has sent its status,
            # while its caller exits and the next one starts.  With two, one
            # is ready for the next call while the other is made.  A call
            # the server accepted (no spare, or max_servers reached) waits in
            # the queue for a spare that does not accept: no race between a
            # hand-over and an accept.
            handy = [sp for sp in self.spares if sp[0] not in self.accepting]
            if self.queue and not handy and (
                    self.max_servers < 0
                    or len(self.by_pid) < self.max_servers):
                self.fork_spare(accepting=False)   # for the waiting call
                self.dispatch()
                self.listen_when_no_spare()
                continue
            need_spare = (
                self.refill and len(self.spares) < self.nspares
                and (self.max_servers < 0 or len(self.by_pid)
                     + len(self.spares) < self.max_servers)
                and not self.quitting and not self.busy())
            events = self.sel.poll(0 if need_spare else self.timeout())
            if not events and need_spare:
                self.fork_spare()
                self.dispatch()
                self.listen_when_no_spare()
                continue
            for fd, ev in events:
                self.event(fd, ev)
            self.listen_when_no_spare()
            self.read_chans()
            self.reap()
            self.timers()
            self.dispatch()
            # Only now: a number freed during a batch and reused by accept
            # would receive the batch's stale events.
            for sock in self.closing:
                sock.close()
            self.closing = []

    def listen_when_no_spare(self):
        """Spares accept calls themselves (the server is then on no call's
        path); the server accepts only when there is none."""
        want = not self.accepting
        if self.listen is not None and want != self.listening:
            self.sel.modify(self.listen.fileno(),
                            select.EPOLLIN if want else 0)
            self.listening = want

    def read_chans(self):
        for c in list(self.by_pid.values()):
            if c.chan is not None:
                self.chan_input(c)

    def busy(self):
        """Is an executor still working (no status sent yet)?"""
        self.read_chans()
        return any(c.reported is None for c in self.by_pid.values())

    def timeout(self):
        t = []
        now = time.monotonic()
        if any(c.chan is not None and not c.watching and not c.gone
               for c in self.by_pid.values()):
            t.append(CHAN_TICK)
        if (self.refill and len(self.spares) < self.nspares
                and not self.quitting and self.by_pid
                and now < self.last_dispatch + SPARE_WATCH):
            t.append(SPARE_TICK)
        for c in self.by_pid.values():
            for at in (c.int_at, c.kill_at):
                if at is not None:
                    t.append(at - now)
        if not self.by_pid and not self.queue and self.idle_timeout >= 0 \
                and not self.quitting:
            t.append(self.last_busy + self.idle_timeout - now)
        return max(0.0, min(t)) if t else -1

    def timers(self):
        now = time.monotonic()
        for c in list(self.by_pid.values()):
            if c.int_at is not None and now >= c.int_at:
                c.int_at = None
                self.chan_input(c)
                if c.reported is None:
                    self.killpg(c.pid, signal.SIGINT)
                    c.kill_at = now + self.grace
            if c.kill_at is not None and now >= c.kill_at:
                c.kill_at = None
                self.log("warning", "executor [%d]: caller gone, SIGKILL"
                         % c.pid)
                self.killpg(c.pid, signal.SIGKILL)
        if (self.idle_timeout >= 0 and not self.by_pid and not self.queue
                and now >= self.last_busy + self.idle_timeout):
            self.quit("idle for %gs" % self.idle_timeout)

    def event(self, fd, ev):
        if fd == self.wake_r:
            try:
                os.read(self.wake_r, 4096)
            except BlockingIOError:
                pass
        elif fd == self.watche:
            try:
                msg = os.read(self.watche, 2048)
            except BlockingIOError:
                return
            if msg:
                self.log("err", "watcher: %s" % msg.decode(errors="replace")
                         .strip())
            self.sel.unregister(self.watche)
            self.quit("socket gone (watcher ended)")
        elif self.listen is not None and fd == self.listen.fileno():
            self.accept()
        elif fd in self.calls:
            self.conn_input(self.calls[fd])
        elif fd in self.spare_chans:
            self.spare_input(*self.spare_chans[fd])

    # -- calls
    def accept(self):
        while True:
            try:
                conn, _ = self.listen.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.log("warning", "accept: %s" % e)
                return
            changed = self.watch.check()
            if changed:
                conn.close()     # EOF before greeting: client respawns
                self.log("info", "reloading: %s changed" % changed)
                self.quit("reloading: %s changed" % changed)
                return
            self.new_call(conn)

    def new_call(self, conn):
        xdata = (EXT_WORD + "\0").encode() if self.ext else b""
        try:
            conn.send(b"PFI\n" + struct.pack(">I", len(xdata)) + xdata)
        except OSError:
            conn.close()
            return
        conn.setblocking(False)
        c = _Call(conn)
        self.calls[conn.fileno()] = c
        # While it waits for an executor, only a hang-up matters.
        self.poll(c, select.EPOLLRDHUP)
        self.queue.append(c)
        self.last_busy = time.monotonic()

    def poll(self, c, events):
        """Watch c's connection for events; None: not at all (EPOLLHUP
        cannot be masked, so a dead peer would wake us for ever)."""
        if c.polled:
            self.sel.unregister(c.sock.fileno())
        c.polled = events is not None
        if c.polled:
            self.sel.register(c.sock.fileno(), events)

    def forget(self, c):
        self.poll(c, None)
        del self.calls[c.sock.fileno()]
        self.closing.append(c.sock)

    def conn_input(self, c):
        if not c.watching:
            if not c.pid:        # a queued caller went away
                self.queue.remove(c)
                self.forget(c)
            else:                # its executor will see the EOF itself
                self.poll(c, None)
            return
        try:
            data = c.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.chan_input(c)   # an early status sent just before?
            if not c.gone:
                self.caller_gone(c)
            return
        if c.ext:
            for code in data:
                self.forward(c, code)

    def chan_input(self, c):
        """From the executor: b"R" + ext byte (request read), b"S" + u32
        (it sent this status to the caller itself)."""
        if c.chan is None:
            return
        try:
            data = c.chan.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close_chan(c)
            return
        c.cbuf += data
        while c.cbuf:
            if c.cbuf[:1] == b"R" and len(c.cbuf) >= 2:
                c.ext = c.cbuf[1] == 1
                c.cbuf = c.cbuf[2:]
                if not c.gone:
                    c.watching = True
                    self.poll(c, select.EPOLLIN)
            elif c.cbuf[:1] == b"S" and len(c.cbuf) >= 5:
                (c.reported,) = struct.unpack(">I", c.cbuf[1:5])
                c.cbuf = c.cbuf[5:]
                self.stop_watching(c)
            elif c.cbuf[:1] in (b"R", b"S"):
                return           # the rest is on its way
            else:
                self.log("err", "executor [%d] sent %r" % (c.pid, c.cbuf))
                self.close_chan(c)
                return

    def close_chan(self, c):
        if c.chan is not None:
            del self.chans[c.chan.fileno()]
            self.closing.append(c.chan)
            c.chan = None

    def stop_watching(self, c):
        c.gone = True
        self.poll(c, None)

    def caller_gone(self, c):
        """EOF from the caller.  An executor sends its early status to
        the caller before telling us, so wait a moment for that news
        before taking the EOF for a caller that went away."""
        self.stop_watching(c)
        c.int_at = time.monotonic() + EOF_SETTLE

    def forward(self, c, code):
        name = WIRE_SIGNALS.get(code)
        if name is None or not hasattr(signal, name):
            self.log("warning", "unknown wire signal %d" % code)
            return
        self.killpg(c.pid, getattr(signal, name))

    @staticmethod
    def killpg(pid, sig):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    # -- executors
    def fork_spare(self, accepting=True):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as e:
            self.log("err", "fork: %s" % e)
            parent.close()
            child.close()
            time.sleep(0.1)
            return
        if pid == 0:
            parent.close()
            _become_spare(self, child, accepting)   # returns in the executor
            raise _Executor()
        child.close()
        parent.setblocking(False)
        if accepting:
            self.accepting.add(pid)
        self.spares.append((pid, parent))
        self.spare_chans[parent.fileno()] = (pid, parent)
        self.sel.register(parent.fileno(), select.EPOLLIN)
        if len(self.spares) >= self.nspares:
            self.refill = False

    def unspare(self, pid, sock):
        """sock stops being a spare's: no more polled (the executor's
        messages are read without waking for them)."""
        self.spares.remove((pid, sock))
        self.accepting.discard(pid)
        del self.spare_chans[sock.fileno()]
        self.sel.unregister(sock.fileno())

    def spare_input(self, pid, sock):
        """A spare took a call itself: b"A" with the connection; or saw a
        watched file changed: b"Q"."""
        try:
            data, anc, _, _ = sock.recvmsg(64, _ANC)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, anc = b"", []
        fds = _fds_of(anc)
        if data[:1] == b"A" and len(fds) == 1:
            self.unspare(pid, sock)
            conn = socket.socket(fileno=fds[0])
            conn.setblocking(False)
            c = _Call(conn)
            self.calls[conn.fileno()] = c
            c.pid, c.chan, c.cbuf = pid, sock, data[1:]
            self.by_pid[pid] = c
            self.chans[sock.fileno()] = c
            self.last_dispatch = self.last_busy = time.monotonic()
            self.chan_input(c)
            return
        for fd in fds:
            os.close(fd)
        if data[:1] == b"Q":
            why = "reloading: %s changed" % os.fsdecode(data[1:])
            self.log("info", why)
            self.quit(why)
        elif data:
            self.log("err", "spare [%d] sent %r" % (pid, data))
        self.unspare(pid, sock)
        self.closing.append(sock)

    def dispatch(self):
        while (self.queue and (self.max_servers < 0
                               or len(self.by_pid) < self.max_servers)):
            handy = [sp for sp in self.spares if sp[0] not in self.accepting]
            if not handy:
                return
            c = self.queue.pop(0)
            pid, sock = handy[0]
            self.unspare(pid, sock)
            flags = (1 if self.ext else 0) | (2 if self.early_status else 0)
            try:
                sock.sendmsg([struct.pack(">I", flags)],
                             [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               struct.pack("i", c.sock.fileno()))])
            except OSError as e:
                self.log("err", "handing call to executor [%d]: %s"
                         % (pid, e))
                sock.close()
                self.queue.insert(0, c)
                continue
            c.pid = pid
            self.by_pid[pid] = c
            self.last_dispatch = time.monotonic()
            c.chan = sock
            sock.setblocking(False)
            self.chans[sock.fileno()] = c
            self.poll(c, None)   # the executor reads the request

    def report(self, c, status):
        rec = struct.pack(">I", status)
        try:
            c.sock.setblocking(True)
            c.sock.settimeout(5)
            c.sock.sendall(bytes([REC_STATUS]) + rec if c.ext else rec)
        except OSError:
            pass
        self.stop_watching(c)

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for spare in [s for s in self.spares if s[0] == pid]:
                self.spare_input(*spare)     # took a call just before?
            c = self.by_pid.get(pid)
            if c is None:
                for spare in [s for s in self.spares if s[0] == pid]:
                    self.unspare(*spare)
                    spare[1].close()
                    self.refill = True
                if not os.WIFSTOPPED(status):
                    self.log("warning", "spare [%d] died: status %#x"
                             % (pid, status))
                continue
            if os.WIFSTOPPED(status):
                if c.ext and not c.gone:
                    try:
                        c.sock.send(struct.pack(">BI", REC_STOPPED, _wire_code(
                            os.WSTOPSIG(status))))
                    except OSError:
                        pass
                continue
            del self.by_pid[pid]
            self.refill = True
            self.last_busy = time.monotonic()
            self.chan_input(c)   # an early status not read yet
            self.close_chan(c)
            if c.reported is not None and c.reported != status:
                self.log("err", "executor [%d] reported status %#x, but "
                         "its wait status is %#x" % (pid, c.reported, status))
            if not c.gone:
                self.report(c, status)
            self.forget(c)

    def quit(self, why):
        """Accept no more calls; those accepted are still served."""
        if self.quitting:
            return
        self.quitting = why
        if self.listen is not None:
            try:
                self.listen.shutdown(socket.SHUT_RD)   # connect: refused
            except OSError:
                pass
            while True:
                try:
                    conn, _ = self.listen.accept()
                except OSError:
                    break
                conn.close()                         # EOF: client respawns
            self.sel.unregister(self.listen.fileno())
            self.closing.append(self.listen)
            self.listen = None
            for pid, sock in list(self.spares):   # they may not take calls
                if pid in self.accepting:
                    self.spare_input(pid, sock)   # took one just now?
                if pid in self.accepting:
                    self.unspare(pid, sock)
                    self.closing.append(sock)

    def close_in_child(self):
        """A spare holds none of the server's descriptors."""
        for fd in (self.watchi, self.watche, self.wake_r, self.wake_w):
            os.close(fd)
        self.sel.close()
        for c in self.calls.values():
            c.sock.close()
            if c.chan is not None:
                c.chan.close()
        for _, s in self.spares:
            s.close()
        for sock in self.closing:
            sock.close()


class _Executor(Exception):
    """Raised in a spare that received its call: unwinds to the caller of
    initialisation_complete()."""


def _wire_code(sig):
    for code, name in WIRE_SIGNALS.items():
        if getattr(signal, name, None) == sig:
            return code
    return 0


def _become_spare(server, sock, accepting):
    """In a freshly forked spare: drop the server's state, wait for a call,
    read its request, then make this process look like a direct run."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    server.close_in_child()
    os.setpgid(0, 0)
    _prewarm(server.stdio_encoding)
    conn, flags = _take_call(server, sock, accepting)
    if server.listen is not None:
        server.listen.close()
    if server.watch.fd >= 0:
        os.close(server.watch.fd)
    try:
        conn.settimeout(REQUEST_TIMEOUT)
        ext, umask, fds, blob = _read_request(conn, flags & 1)
        sock.send(b"R" + bytes([ext]))
    except (OSError, ValueError) as e:
        server.log("warning", "request: %s" % (e or type(e).__name__))
        os._exit(127)
    if flags & 2:
        _ex.chan, _ex.conn, _ex.ext = sock, conn, ext
    _apply_call(ext, umask, fds, blob, server.stdio_encoding)


def _take_call(server, sock, accepting):
    """Wait for a call: one the server hands over on sock, or one accepted
    here (greeted here, and its connection sent to the server)."""
    p = select.poll()
    p.register(sock, select.POLLIN)
    listen = server.listen
    if listen is not None and accepting:
        p.register(listen, select.POLLIN)
    flags = (1 if server.ext else 0) | (2 if server.early_status else 0)
    while True:
        for fd, _ in p.poll():
            if fd == sock.fileno():
                try:
                    data, anc, _, _ = sock.recvmsg(4, _ANC)
                except OSError:
                    os._exit(0)
                fds = _fds_of(anc)
                if len(data) != 4 or len(fds) != 1:
                    os._exit(0)  # the server quit: this spare is unneeded
                return socket.socket(fileno=fds[0]), \
                    struct.unpack(">I", data)[0]
            try:
                conn, _ = listen.accept()
            except (BlockingIOError, InterruptedError):
                continue         # another spare, or the server, was faster
            except OSError:
                p.unregister(listen)     # shut down: the server quits
                continue
            changed = server.watch.check()
            if changed:
                conn.close()     # EOF before greeting: client respawns
                sock.send(b"Q" + os.fsencode(changed)[:200])
                os._exit(0)
            # The server first: if it has quit, the caller gets EOF before
            # any greeting, and starts a new server.
            try:
                sock.sendmsg([b"A"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                       struct.pack("i", conn.fileno()))])
            except OSError:
                conn.close()
                os._exit(0)
            xdata = (EXT_WORD + "\0").encode() if server.ext else b""
            try:
                conn.sendall(b"PFI\n" + struct.pack(">I", len(xdata)) + xdata)
            except OSError:
                os._exit(0)      # the caller went away: so does this call
            return conn, flags


def _prewarm(encoding):
    """Run the call's set-up once on dummies while idle: after fork every
    first write to a page copies it, and doing those copies now takes
    them off the caller's time."""
    env = b"".join(k + b"=" + v + b"\0" for k, v in os.environb.items())
    saved = (sys.stdin, sys.stdout, sys.stderr, sys.argv[:])
    fds = [os.open(os.devnull, os.O_RDWR) for _ in range(3)]
    try:
        _apply_call(0, 0, fds, env + b"\0" + b"\0".join(
            [b"interp"] + [os.fsencode(a) for a in sys.argv]) + b"\0",
            encoding, dry=True)
    finally:
        sys.stdin, sys.stdout, sys.stderr, argv = saved
        sys.argv[:] = argv
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = saved[:3]
    _flush_everything()
    _main_frame_outcome()
    signal.pthread_sigmask(signal.SIG_BLOCK, [])
    struct.pack(">I", 0)
    gc.freeze()                  # the exit's gc.get_objects(): the call's only


def _fds_of(anc):
    fds = []
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            k = len(payload) // 4
            fds.extend(struct.unpack("%di" % k, payload[:k * 4]))
    return fds


def _recv_exact(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            raise ValueError("caller went away mid-request")
        data += more
    return data


def _recv_one_fd(conn):
    """One sendmsg of the client: payload byte 00 with one fd."""
    data, anc, flags, _ = conn.recvmsg(1, _ANC)
    fds = _fds_of(anc)
    if data != b"\0" or len(fds) != 1 or flags & socket.MSG_CTRUNC:
        for fd in fds:
            os.close(fd)
        raise ValueError("expected one fd with a 00 byte, got %r and %d fds"
                         % (data, len(fds)))
    return fds[0]


def _read_request(conn, offered):
    """7.0.0: 00, 3 fds, u32 L, L bytes.  sockkit-x1 (only if offered):
    01, the same, then the cwd fd (payload byte 00), u32 M, M bytes (u32
    umask, then anything later versions add).  Exact reads: what follows
    (signal codes) is left for the server."""
    first = _recv_exact(conn, 1)[0]
    if first not in ((0, 1) if offered else (0,)):
        raise ValueError("signalling byte 0x%02x" % first)
    ext = first == 1
    fds = [_recv_one_fd(conn) for _ in range(3)]
    (n,) = struct.unpack(">I", _recv_exact(conn, 4))
    if n > MAX_REQUEST:
        raise ValueError("request of %d bytes" % n)
    blob = _recv_exact(conn, n)
    umask = 0
    if ext:
        fds.append(_recv_one_fd(conn))
        (m,) = struct.unpack(">I", _recv_exact(conn, 4))
        if not 4 <= m <= 4096:
            raise ValueError("extension block of %d bytes" % m)
        (umask,) = struct.unpack(">I", _recv_exact(conn, m)[:4])
    return ext, umask, fds, blob


def _apply_call(ext, umask, fds, blob, encoding, dry=False):
    for i in range(3):
        if not dry:
            os.dup2(fds[i], i)
    if ext:
        os.fchdir(fds[3])
        os.umask(umask & 0o7777)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    strings = blob.split(b"\0")
    if len(strings) < 2 or strings.pop() != b"":
        os._exit(127)
    new = {}
    while strings:
        s = strings.pop(0)
        if not s:
            break
        k, eq, v = s.partition(b"=")
        if eq and k:
            new[k] = v
    # Change only what differs: calls from one place mostly share it.
    env = os.environb
    for k in [k for k in env if k not in new]:
        del env[k]
    for k, v in new.items():
        if env.get(k) != v:
            env[k] = v
    # 7.0.0 sends interpreter, script, args: a direct run sees script, args.
    args = [os.fsdecode(s) for s in strings[1:]]
    if args:
        sys.argv[:] = args
    _new_stdio(encoding)
    if "random" in sys.modules:
        sys.modules["random"].seed()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2",
                 "SIGTSTP", "SIGCONT", "SIGWINCH"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    if not dry:
        _ex.active = os.getpid()
        sys.excepthook = _excepthook_wrapper(sys.excepthook)


def _new_stdio(encoding):
    """sys.std* on the caller's fds 0-2, buffered as a direct run would."""
    env = os.environ
    enc, _, errors = env.get("PYTHONIOENCODING", "").partition(":")
    enc = enc or encoding
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))

    def out(fd, line, err):
        raw = io.FileIO(fd, "w", closefd=False)
        buf = raw if unbuffered else io.BufferedWriter(raw)
        return io.TextIOWrapper(buf, encoding=enc, errors=errors or err,
                                line_buffering=line, write_through=unbuffered)
    try:
        tty1 = os.isatty(1)
    except OSError:
        tty1 = False
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding=enc,
        errors=errors or "strict")
    sys.stdout = sys.__stdout__ = out(1, tty1, "strict")
    sys.stderr = sys.__stderr__ = out(2, True, "backslashreplace")


def _daemon_stdio(log_file):
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    if log_file and log_file != "syslog":
        err = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.dup2(err, 2)
        os.close(err)
    else:
        os.dup2(null, 2)
    os.close(null)


DEFAULTS = {
    "max_servers": 4,            # concurrent calls; more wait their turn
    "idle_timeout": 1000000,     # seconds without calls, then quit (<0: never)
    "autoreload": True,          # watch the script and every module's file
    "autoreload_extra": (),      # more files to watch
    "log": "syslog",             # "syslog", a file name, or None
    "hangup_grace": 5.0,         # seconds between SIGINT and SIGKILL
    "fast_exit": True,           # skip teardown when the outcome is certain
    "early_status": True,        # with fast_exit: report before teardown
    "spares": 2,                 # executors forked ahead of calls
}


def initialisation_complete(**options):
    """Become a prefork-interp server; return once per call, each time in a
    fresh process.  Without prefork-interp: return at once."""
    value = os.environ.get(ENV_NAME)
    if value is None:
        return
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    opts = dict(DEFAULTS, **options)
    since_ns, fds, ext = _parse_env(value)
    del os.environ[ENV_NAME]
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script:
        _extra_reload.append(script)
    ident = os.path.basename(sys.argv[0]) if sys.argv else "python"
    _ex.safe = _ex.safe and opts["fast_exit"]
    _prepare_fast_exit()
    sys.stdout.flush()
    sys.stderr.flush()
    encoding = sys.stdout.encoding if sys.stdout else "utf-8"
    if os.fork():
        os._exit(0)              # the setup run ends; the client goes on
    try:
        os.setsid()
        log = _Log(opts["log"], ident)
        _daemon_stdio(opts["log"])
        server = _Server(opts, since_ns, fds, ext, log)
        server.stdio_encoding = encoding
        gc.collect()
        gc.freeze()
        server.log("info", "serving")
        server.run()
    except _Executor:
        return
    except BaseException:
        import traceback
        try:
            log("err", "server failed: %s" % traceback.format_exc())
        except Exception:
            pass
        os._exit(127)
