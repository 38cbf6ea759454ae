"""sockkit_prefork: the Python script side of prefork-interp.

A script started through prefork-interp does its expensive set-up (imports,
tables) once, then calls initialisation_complete().  That call turns the
process into a server and returns once per call of the script, each time
in a fresh process that has the caller's argv, environment, stdio and
(with sockkit's client) working directory, umask and signals.  Run
directly, without prefork-interp, initialisation_complete() checks its
options and returns.

    #!/usr/bin/sockkit prefork-interp -U /usr/bin/python3
    import json, sqlite3            # slow start-up work here
    import sockkit_prefork
    sockkit_prefork.initialisation_complete()
    ... per-call work: sys.argv, os.environ, sys.stdin are the caller's ...

The guide is sockkit_prefork(7); the protocol is in prefork-interp(1).
Modules: protocol (the wire), server (the loop) and calls (what it keeps
of calls and spares), executor (a call's process), rest (running the rest
of the script, and leaving), reload (the watch on the script's files),
log.
"""

import atexit
import gc
import os
import select
import signal
import sys

from . import executor, protocol, reload, rest
from .log import Log
from .server import Server

__all__ = ["initialisation_complete", "autoreload_also_check"]

DEFAULTS = {
    "max_servers": 4,            # calls at once; more wait their turn
    "idle_timeout": 600,         # seconds without calls, then quit (<0 never)
    "autoreload": True,          # watch the script and every module's file
    "autoreload_extra": (),      # more files to watch
    "log": "syslog",             # "syslog", a file name, or None
    "hangup_grace": 5.0,         # seconds between SIGINT and SIGKILL
    "fast_exit": True,           # skip teardown when the outcome is certain
    "early_status": True,        # with fast_exit: status before _exit
    "spares": 3,                 # call processes forked ahead of calls
}
START_TIMEOUT = 30               # seconds the setup run waits for the server
ALL_SIGNALS = signal.valid_signals()   # blocked before the early status

_extra_reload = []


def autoreload_also_check(*paths):
    """Also restart the server when one of these files changes."""
    _extra_reload.extend(os.fspath(p) for p in paths)


def _number(name, v, minimum=None):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError("initialisation_complete(): %s must be a number, "
                        "not %r" % (name, v))
    if minimum is not None and v < minimum:
        raise ValueError("initialisation_complete(): %s must be at least "
                         "%s, not %r" % (name, minimum, v))


def check_options(options):
    """The options with their defaults; TypeError or ValueError for an
    unknown name or a value of the wrong kind, in a direct run too."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError("initialisation_complete(): unknown option(s): %s "
                        "(known: %s)" % (", ".join(unknown),
                                         ", ".join(sorted(DEFAULTS))))
    opts = dict(DEFAULTS, **options)
    for name in ("max_servers", "spares"):
        if isinstance(opts[name], bool) or not isinstance(opts[name], int):
            raise TypeError("initialisation_complete(): %s must be an int, "
                            "not %r" % (name, opts[name]))
    if opts["max_servers"] == 0:
        raise ValueError("initialisation_complete(): max_servers must not be "
                         "0 (negative: no limit)")
    _number("spares", opts["spares"], 1)
    _number("idle_timeout", opts["idle_timeout"])
    _number("hangup_grace", opts["hangup_grace"], 0)
    for name in ("autoreload", "fast_exit", "early_status"):
        if not isinstance(opts[name], bool):
            raise TypeError("initialisation_complete(): %s must be True or "
                            "False, not %r" % (name, opts[name]))
    extra = opts["autoreload_extra"]
    if isinstance(extra, (str, bytes)):
        raise TypeError("initialisation_complete(): autoreload_extra must "
                        "be a list of file names, not one name")
    try:
        opts["autoreload_extra"] = [os.fspath(p) for p in extra]
        if opts["log"] is not None:
            opts["log"] = os.fspath(opts["log"])
    except TypeError:
        raise TypeError("initialisation_complete(): log must be \"syslog\", "
                        "a file name or None, and autoreload_extra a list of "
                        "file names") from None
    return opts


def _refuse(why):
    """Before anything forks: say why, and exit 127 (prefork-interp's
    status for its own failures)."""
    try:
        sys.stderr.write("sockkit_prefork: %s\n" % why)
        sys.stderr.flush()
    except Exception:
        pass
    raise SystemExit(127)


def initialisation_complete(**options):
    """Become a prefork-interp server; return once per call, each time in a
    fresh process (or run the rest of the script and exit: see rest.py).
    Without prefork-interp: check the options and return."""
    opts = check_options(options)
    value = os.environ.get(protocol.ENV_NAME)
    if value is None:
        return
    try:
        info = protocol.parse_env(value)
        protocol.check_fds(info)
    except (protocol.ProtocolError, OSError) as e:
        _refuse("PREFORK_INTERP is set, but %s: this is not a server start "
                "by prefork-interp" % e)
    del os.environ[protocol.ENV_NAME]
    frame = sys._getframe(1) if hasattr(sys, "_getframe") else None
    plan, why = rest.plan(frame) if opts["fast_exit"] else \
        (None, "fast_exit=False")
    del frame
    call = _start(opts, info, why)
    if plan is None:
        return                   # the script goes on; the interpreter exits
    rest.count_opens()
    _leave(rest.run(plan), call, opts["early_status"])


def _script_name():
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] \
        else "python"


def _watched_files(opts):
    files = list(_extra_reload) + opts["autoreload_extra"]
    if sys.argv and sys.argv[0]:
        files.append(os.path.abspath(sys.argv[0]))
    if opts["autoreload"]:
        files.extend(reload.module_files())
    return files


def _start(opts, info, why_slow):
    """Fork the server; the setup run waits until it greeted the first
    call, or puts its error on the caller's standard error and exits 127.
    Returns only in a call's process."""
    # Buffers written before the call are flushed once, here: else every
    # call's process would inherit them and write them again.
    rest.note_server_files()
    rest.flush_server_files()
    ready_r, ready_w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid:
        os.close(ready_w)
        _await_server(pid, ready_r)          # does not return
    os.close(ready_r)
    try:
        server = _make_server(opts, info, why_slow)
        os.write(ready_w, b"ok")
        os.close(ready_w)
    except BaseException as e:
        _report_start_failure(ready_w, e)
    try:
        call = server.run()      # returns only in a spare with a call
    except BaseException:
        import traceback
        server.log("err", "server failed: %s" % traceback.format_exc())
        os._exit(127)
    # The server's objects stay alive in the call: tearing them down here
    # would be work and writes to old pages, for nothing.
    call.server = server
    call.pid = os.getpid()
    call.identity = protocol.identity(call.conn, call.chan)
    return call


def _make_server(opts, info, why_slow):
    os.setsid()
    name = _script_name()
    executor.set_comm("pf:" + name)
    log = Log(opts["log"], name, info.rundir_fd, info.listen_fd)
    for fd in info.extra + [info.rundir_fd]:
        if fd is not None and fd > 2 and fd not in (
                info.listen_fd, info.call_fd, info.watchi, info.watche):
            try:
                os.close(fd)     # no call, and no child of one, gets it
            except OSError:
                pass
    stdio = executor.stdio_defaults()
    executor.note_environ()
    executor.default_signals()
    watch = reload.Watch(_watched_files(opts), info.since_ns, log)
    server = Server(opts, info, watch, stdio, log)
    _daemon_stdio(log.stderr_fd())
    executor.warm_up(server)
    if why_slow is None and not rest.fast_exit_possible():
        why_slow = "this Python lacks gc.freeze or atexit._run_exitfuncs"
    if why_slow:
        log("info", "calls end through the interpreter's exit (slower): %s"
            % why_slow)
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    log("info", "serving (%s)" % ("sockkit-x1" if info.ext else "7.0.0"))
    return server


def _report_start_failure(ready_w, e):
    msg = "%s: %s" % (type(e).__name__, e)
    try:
        os.write(ready_w, msg.encode(errors="backslashreplace")[:4000])
    except OSError:
        pass
    os._exit(127)


def _await_server(pid, ready_r):
    """In the setup run: the server's word, bounded."""
    got = b""
    while select.select([ready_r], [], [], START_TIMEOUT)[0]:
        more = os.read(ready_r, 4096)
        if not more:
            break
        got += more
    else:
        os.kill(pid, signal.SIGKILL)
        got = b"no word within %d s" % START_TIMEOUT
    if got == b"ok":
        os._exit(0)              # the setup run ends; the client goes on
    why = got.decode(errors="replace") or "it died while starting"
    try:
        os.write(2, ("sockkit_prefork: cannot start the server: %s\n"
                     % why).encode(errors="backslashreplace"))
    except OSError:
        pass
    os._exit(127)


def _daemon_stdio(err_fd):
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(err_fd if err_fd >= 0 else null, 2)
    os.close(null)


def _leave(outcome, call, early_status):
    """After the rest of the script: the atexit hooks, the flushes a
    teardown would do, the status (to the caller first, then the server),
    and _exit.  Where that is not certain to match the interpreter's own
    exit, take that exit instead (rest.slow_exit)."""
    if call.pid != os.getpid() or not rest.fast_exit_possible():
        rest.slow_exit(outcome)  # a child the script forked, or threads
    status = rest.status_of(outcome)
    atexit._run_exitfuncs()
    flushed = rest.flush_everything()
    if status is None:
        rest.die_of_sigint()
    if not flushed:
        status = 120
    if early_status and protocol.identity(call.conn,
                                          call.chan) == call.identity:
        # From here only SIGKILL could change how this process ends; the
        # server compares what we say with what wait() says.
        signal.pthread_sigmask(signal.SIG_BLOCK, ALL_SIGNALS)
        for fd in (0, 1, 2):
            try:
                os.close(fd)     # the caller's pipes see EOF now
            except OSError:
                pass
        try:
            call.conn.settimeout(5)
            call.conn.sendall(protocol.status_record(call.ext, status << 8))
            call.chan.send(b"S" + (status << 8).to_bytes(4, "big"))
        except OSError:
            pass
    os._exit(status)
