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

Processes: the server forks one spare executor ahead of time; a call is read
by the server, handed to the spare over a socketpair, and the spare returns
from initialisation_complete().  The server is the parent of every executor,
so the wait status it reports is the executor's own (there is no monitor
process and no status race).

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
    active = False               # true in an executor
    done = False
    main_frame = None            # the __main__ module's frame
    last_exit = None             # the SystemExit our sys.exit raised last
    safe = True                  # no atexit hook precedes ours
    chan = None                  # socket to the server, for early status


_ex = _ExitState()
_ex.safe = atexit._ncallbacks() == 0 if hasattr(atexit, "_ncallbacks") \
    else False
_orig_sys_exit = sys.exit


def _sys_exit(status=None):
    """sys.exit, remembering the exception so the exit hook can find it."""
    exc = SystemExit(*status) if isinstance(status, tuple) \
        else SystemExit(status)
    _ex.last_exit = exc
    raise exc


def _exit_code_of(exc):
    """The process exit status Python derives from a SystemExit."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    try:
        sys.stderr.write(str(code) + "\n")
    except Exception:
        pass
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


def _others_running():
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _fast_exit(code):
    _ex.done = True
    if not _flush_everything():
        code = 120
    if _ex.chan is not None:
        # From here only SIGKILL could change how this process ends; the
        # server compares what we say with what wait() says.
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        for fd in (0, 1, 2):
            os.close(fd)         # the caller's pipes see EOF now
        try:
            _ex.chan.send(struct.pack(">I", (code & 0xff) << 8))
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
    exc = _ex.last_exit
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        if tb.tb_frame is frame:
            return _exit_code_of(exc) if tb.tb_lasti == lasti else None
        tb = tb.tb_next
    return None


def _at_exit():
    """Registered first, so it runs last of the atexit hooks."""
    if not _ex.active or _ex.done or not _ex.safe:
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
        if (not _ex.active or _ex.done or not _ex.safe
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
    __slots__ = ("sock", "buf", "fds", "ext", "req", "pid", "signals",
                 "kill_at", "gone", "chan", "reported")

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.fds = []
        self.ext = None          # None until the signalling byte came
        self.req = None          # (flags, umask, blob) once complete
        self.pid = 0
        self.signals = []        # wire codes waiting for the executor
        self.kill_at = None
        self.gone = False
        self.chan = None         # the executor's socket: its early status
        self.reported = None     # the status already sent, if sent early


_ANC = socket.CMSG_SPACE(8 * 4)


class _Server:
    def __init__(self, opts, since_ns, fds, ext, log):
        self.log = log
        self.max_servers = opts["max_servers"]
        self.idle_timeout = opts["idle_timeout"]
        self.grace = opts["hangup_grace"]
        self.ext = ext
        self.listen = socket.socket(fileno=fds[0])
        self.listen.setblocking(False)
        self.watchi, self.watche = fds[2], fds[3]
        first = socket.socket(fileno=fds[1])
        for fd in fds:
            os.set_inheritable(fd, False)
        self.calls = {}          # conn fd -> _Call
        self.by_pid = {}         # executor pid -> _Call
        self.queue = []
        self.spares = []         # (pid, socket)
        self.chans = {}          # executor socket fd -> _Call
        self.early_status = opts["early_status"]
        self.quitting = None
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
            # Fork the next spare when it costs no caller time: while no
            # executor runs (a fork competes with it for the CPU and holds
            # up its status), or when a call is waiting for one.
            need_spare = (not self.quitting and not self.spares
                          and (self.queue or not self.by_pid))
            timeout = 0 if need_spare else self.timeout()
            events = [] if need_spare and self.queue else \
                self.sel.poll(timeout)
            if not events and need_spare:
                self.fork_spare()
                self.dispatch()
                continue
            for fd, ev in events:
                self.event(fd, ev)
            self.reap()
            self.timers()
            self.dispatch()

    def timeout(self):
        t = []
        now = time.monotonic()
        for c in self.by_pid.values():
            if c.kill_at is not None:
                t.append(c.kill_at - now)
        if not self.by_pid and not self.queue and self.idle_timeout >= 0 \
                and not self.quitting:
            t.append(self.last_busy + self.idle_timeout - now)
        return max(0.0, min(t)) if t else -1

    def timers(self):
        now = time.monotonic()
        for c in list(self.by_pid.values()):
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
            self.quit("socket gone (watcher ended)")
        elif self.listen is not None and fd == self.listen.fileno():
            self.accept()
        elif fd in self.calls:
            self.readable(self.calls[fd])
        elif fd in self.chans:
            self.early(self.chans[fd])

    # -- accepting and reading calls
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
                self.quit("reloading: %s changed" % changed)
                return
            self.new_call(conn)

    def new_call(self, conn):
        conn.setblocking(False)
        xdata = (EXT_WORD + "\0").encode() if self.ext else b""
        try:
            conn.send(b"PFI\n" + struct.pack(">I", len(xdata)) + xdata)
        except OSError:
            conn.close()
            return
        c = _Call(conn)
        self.calls[conn.fileno()] = c
        self.sel.register(conn.fileno(), select.EPOLLIN)
        self.last_busy = time.monotonic()

    def drop(self, c):
        self.sel.unregister(c.sock.fileno())
        del self.calls[c.sock.fileno()]
        if c in self.queue:
            self.queue.remove(c)
        for fd in c.fds:
            os.close(fd)
        c.fds = []
        c.sock.close()

    def readable(self, c):
        try:
            data, anc, flags, _ = c.sock.recvmsg(65536, _ANC)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, anc, flags = b"", [], 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                n = len(payload) // 4
                c.fds.extend(struct.unpack("%di" % n, payload[:n * 4]))
        if c.pid:
            self.running_input(c, data)
            return
        if not data or flags & socket.MSG_CTRUNC:
            self.drop(c)         # caller went away before its call ran
            return
        if c.req is not None:    # queued: keep signals for the executor
            if c.ext:
                c.signals.extend(data)
            return
        c.buf += data
        try:
            self.parse(c)
        except ValueError as e:
            self.log("warning", "bad request: %s" % e)
            self.drop(c)

    def parse(self, c):
        """7.0.0: 00, 3 fds, u32 L, L bytes.  sockkit-x1: 01, the same,
        then the cwd fd (payload byte 00), u32 M, M bytes (u32 umask, ...),
        then wire signal codes while the call runs."""
        b = c.buf
        if c.ext is None:
            if b[0] == 0:
                c.ext = False
            elif b[0] == 1 and self.ext:
                c.ext = True
            else:
                raise ValueError("signalling byte 0x%02x" % b[0])
        if len(b) < 8:
            return
        if b[1:4] != bytes(3) or len(c.fds) < 3:
            raise ValueError("expected 3 fds, got %d" % len(c.fds))
        (n,) = struct.unpack(">I", b[4:8])
        if n > MAX_REQUEST:
            raise ValueError("request of %d bytes" % n)
        pos = 8 + n
        if len(b) < pos:
            return
        blob = b[8:pos]
        umask, flags = 0, 0
        if c.ext:
            if len(b) < pos + 5:
                return
            if b[pos] != 0 or len(c.fds) != 4:
                raise ValueError("expected the cwd fd, got %d fds"
                                 % len(c.fds))
            (m,) = struct.unpack(">I", b[pos + 1:pos + 5])
            if m < 4 or m > 4096:
                raise ValueError("extension block of %d bytes" % m)
            pos += 5
            if len(b) < pos + m:
                return
            (umask,) = struct.unpack(">I", b[pos:pos + 4])
            flags = 1
            pos += m
            c.signals.extend(b[pos:])
        elif len(c.fds) != 3 or len(b) > pos:
            raise ValueError("more than a 7.0.0 request")
        c.buf = b""
        c.req = (flags, umask, blob)
        self.queue.append(c)

    def running_input(self, c, data):
        for fd in c.fds:
            os.close(fd)
        c.fds = []
        if not data:
            self.caller_gone(c)
            return
        if not c.ext:
            return               # 7.0.0 clients send nothing more
        for code in data:
            self.forward(c, code)

    def caller_gone(self, c):
        self.sel.unregister(c.sock.fileno())
        c.gone = True
        if c.kill_at is None:
            self.killpg(c.pid, signal.SIGINT)
            c.kill_at = time.monotonic() + self.grace

    def forward(self, c, code):
        name = WIRE_SIGNALS.get(code)
        if name is None or not hasattr(signal, name):
            self.log("warning", "unknown wire signal %d" % code)
            return
        sig = getattr(signal, name)
        self.killpg(c.pid, sig)

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
    def fork_spare(self):
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
            _become_spare(self, child)   # returns in the executor
            raise _Executor()
        child.close()
        self.spares.append((pid, parent))

    def dispatch(self):
        while (self.queue and self.spares
               and (self.max_servers < 0 or len(self.by_pid) < self.max_servers)):
            c = self.queue.pop(0)
            pid, sock = self.spares.pop(0)
            flags, umask, blob = c.req
            fds = c.fds
            try:
                sock.sendmsg([struct.pack(">III", flags, umask, len(blob)),
                              blob],
                             [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               struct.pack("%di" % len(fds), *fds))])
            except OSError as e:
                self.log("err", "handing call to executor [%d]: %s"
                         % (pid, e))
                sock.close()
                self.queue.insert(0, c)
                continue
            for fd in fds:
                os.close(fd)
            c.fds = []
            c.pid = pid
            self.by_pid[pid] = c
            if self.early_status:
                c.chan = sock
                self.chans[sock.fileno()] = c
                self.sel.register(sock.fileno(), select.EPOLLIN)
            else:
                sock.close()
            for code in c.signals:
                self.forward(c, code)
            c.signals = []

    def early(self, c):
        """The executor's status, sent just before its _exit with every
        signal blocked: the process teardown (milliseconds for a big
        interpreter) then happens off the caller's time.  reap() checks
        it against the real one."""
        try:
            data = c.chan.recv(4)
        except OSError:
            data = b""
        self.close_chan(c)
        if len(data) != 4 or c.gone:
            return
        (status,) = struct.unpack(">I", data)
        c.reported = status
        self.report(c, status)

    def close_chan(self, c):
        if c.chan is not None:
            self.sel.unregister(c.chan.fileno())
            del self.chans[c.chan.fileno()]
            c.chan.close()
            c.chan = None

    def report(self, c, status):
        rec = struct.pack(">I", status)
        self.send(c, bytes([REC_STATUS]) + rec if c.ext else rec)
        self.sel.unregister(c.sock.fileno())
        c.gone = True            # nothing more from or to this caller

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            if pid == 0:
                return
            c = self.by_pid.get(pid)
            if c is None:
                for spare in [s for s in self.spares if s[0] == pid]:
                    spare[1].close()
                    self.spares.remove(spare)
                if not os.WIFSTOPPED(status):
                    self.log("warning", "spare [%d] died: status %#x"
                             % (pid, status))
                continue
            if os.WIFSTOPPED(status):
                if c.ext and not c.gone:
                    self.send(c, struct.pack(">BI", REC_STOPPED,
                                             _wire_code(os.WSTOPSIG(status))))
                continue
            del self.by_pid[pid]
            self.last_busy = time.monotonic()
            self.close_chan(c)
            if c.reported is not None and c.reported != status:
                self.log("err", "executor [%d] reported status %#x, but "
                         "its wait status is %#x" % (pid, c.reported, status))
            if not c.gone:
                self.report(c, status)
            del self.calls[c.sock.fileno()]
            c.sock.close()

    @staticmethod
    def send(c, data):
        try:
            c.sock.setblocking(True)
            c.sock.settimeout(5)
            c.sock.sendall(data)
            c.sock.setblocking(False)
        except OSError:
            pass

    def quit(self, why):
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
            self.listen.close()
            self.listen = None
        for c in list(self.calls.values()):
            if not c.pid:
                self.drop(c)

    def close_in_child(self):
        """A spare holds none of the server's descriptors."""
        for fd in (self.watchi, self.watche, self.wake_r, self.wake_w,
                   self.watch.fd):
            if fd >= 0:
                os.close(fd)
        self.sel.close()
        if self.listen is not None:
            self.listen.close()
        for c in self.calls.values():
            for fd in c.fds:
                os.close(fd)
            c.sock.close()
        for _, s in self.spares:
            s.close()
        for c in self.chans.values():
            c.chan.close()


class _Executor(Exception):
    """Raised in a spare that received its call: unwinds to the caller of
    initialisation_complete()."""


def _wire_code(sig):
    for code, name in WIRE_SIGNALS.items():
        if getattr(signal, name, None) == sig:
            return code
    return 0


def _become_spare(server, sock):
    """In a freshly forked spare: drop the server's state, wait for a call,
    then make this process look like a direct run of the script."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    server.close_in_child()
    os.setpgid(0, 0)
    _prewarm(server.stdio_encoding)
    head = _recv_request(sock)
    flags, umask, n, fds, blob = head
    _ex.chan = sock
    _apply_call(flags, umask, fds, blob, server.stdio_encoding)


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


def _recv_request(sock):
    try:
        data, anc, _, _ = sock.recvmsg(65536, _ANC)
    except OSError:
        os._exit(0)
    if not data:
        os._exit(0)              # the server quit: this spare is unneeded
    fds = []
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            k = len(payload) // 4
            fds.extend(struct.unpack("%di" % k, payload[:k * 4]))
    while len(data) < 12:
        more = sock.recv(65536)
        if not more:
            os._exit(127)
        data += more
    flags, umask, n = struct.unpack(">III", data[:12])
    blob = data[12:]
    while len(blob) < n:
        more = sock.recv(n - len(blob))
        if not more:
            os._exit(127)
        blob += more
    return flags, umask, n, fds, blob


def _apply_call(flags, umask, fds, blob, encoding, dry=False):
    for i in range(3):
        if not dry:
            os.dup2(fds[i], i)
    if flags & 1:
        os.fchdir(fds[3])
        os.umask(umask & 0o7777)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    strings = blob.split(b"\0")
    if len(strings) < 2 or strings.pop() != b"":
        os._exit(127)
    env = os.environb
    env.clear()
    while strings:
        s = strings.pop(0)
        if not s:
            break
        k, eq, v = s.partition(b"=")
        if eq and k:
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
        _ex.active = True
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
