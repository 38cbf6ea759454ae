"""The rest of the script after initialisation_complete(), run by this
package, so that a call knows for certain how it ended and can leave
without the interpreter's teardown.

Tearing down a big interpreter touches every object, and in a forked
process every page touched is copied: tens of milliseconds.  A process
that knows its exit status can skip that: run the atexit hooks, flush
what teardown would flush, and _exit.  Knowing the status for certain
takes running the script's remaining statements ourselves: when
initialisation_complete() is a statement at the script's top level (or in
an if block there, such as "if __name__ == '__main__':"), the server
compiles the statements that follow it from the script's source, once,
and each call runs them with exec() in the script's namespace, as Python
would have; then it sees the normal end, the SystemExit or the uncaught
exception itself.  Only public interfaces are used (ast, compile, exec,
the frame's line number); what is implementation-specific is detected,
and without it the call ends through the interpreter's normal exit, with
the same status (slower, never different).
"""

import __future__
import ast
import atexit
import gc
import io
import itertools
import os
import signal
import sys
import weakref

FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


class Plan:
    """The compiled rest of the script and where it runs."""

    def __init__(self, code, namespace):
        self.code = code
        self.namespace = namespace


def _is_init_call(st):
    if not isinstance(st, ast.Expr) or not isinstance(st.value, ast.Call):
        return False
    f = st.value.func
    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
    return name == "initialisation_complete"


def _rest_after(body, line):
    """The statements that run after the initialisation_complete() call on
    line, in body or in if blocks of it; None if it is not there."""
    for i, st in enumerate(body):
        if not st.lineno <= line <= st.end_lineno:
            continue
        if _is_init_call(st):
            return body[i + 1:]
        if isinstance(st, ast.If):
            for branch in (st.body, st.orelse):
                inner = _rest_after(branch, line)
                if inner is not None:
                    return inner + body[i + 1:]
    return None


def plan(frame):
    """(Plan, None) for the frame that called initialisation_complete(),
    or (None, why the call cannot run the rest itself)."""
    main = sys.modules.get("__main__")
    if frame is None or main is None:
        return None, "no frame of the caller"
    code = frame.f_code
    if code.co_name != "<module>" or frame.f_globals is not vars(main):
        return None, "not called at the top level of the script"
    try:
        with open(code.co_filename, "rb") as f:
            source = f.read()
        tree = ast.parse(source, code.co_filename)
        whole = compile(tree, code.co_filename, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError) as e:
        return None, "cannot read the script again (%s)" % e
    if (whole.co_code, whole.co_names) != (code.co_code, code.co_names):
        return None, "the script's source differs from what runs"
    rest = _rest_after(tree.body, frame.f_lineno)
    if rest is None:
        return None, ("initialisation_complete() on line %d is not a "
                      "statement of its own at the top level or in an if "
                      "block there" % frame.f_lineno)
    if rest and isinstance(rest[0], ast.Expr) and isinstance(
            rest[0].value, ast.Constant) and isinstance(rest[0].value.value,
                                                        str):
        # A string first would become the module's __doc__; here it is not.
        rest = [ast.copy_location(ast.Pass(), rest[0])] + rest
    module = ast.Module(body=rest, type_ignores=[])
    compiled = compile(module, code.co_filename, "exec", dont_inherit=True,
                       flags=code.co_flags & FUTURE_FLAGS)
    return Plan(compiled, frame.f_globals), None


# ------------------------------------------------------------------ outcome

def _exit_status_of(exc):
    """What Python's top level makes of a SystemExit: None is 0, an int is
    its low byte (255 beyond a C long), anything else is printed, 1."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff if -2**63 <= code < 2**63 else 255
    text = "%s\n" % (code,)
    err = sys.stderr
    try:
        if err is not None:
            err.write(text)
        else:
            os.write(2, text.encode(errors="backslashreplace"))
    except Exception:
        pass
    return 1


def _print_uncaught(exc, tb):
    """As the top level does: sys.last_*, then sys.excepthook."""
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = exc
    hook = getattr(sys, "excepthook", None) or sys.__excepthook__
    try:
        hook(type(exc), exc, tb)
    except BaseException as e:
        print("Error in sys.excepthook:", file=sys.stderr)
        sys.__excepthook__(type(e), e, e.__traceback__)
        print("\nOriginal exception was:", file=sys.stderr)
        sys.__excepthook__(type(exc), exc, tb)


# The order the top level flushes them in: CPython's flush_io(), stderr
# first; PyPy's app_main, stdout first.
_FLUSH_ORDER = (("stdout", "stderr") if sys.implementation.name == "pypy"
                else ("stderr", "stdout"))


def flush_io():
    """What the top level does once the script's code has run, before it
    reports an exception or runs the atexit hooks: flush sys.stderr and
    sys.stdout, errors ignored (the exit's own flush reports them).  So a
    traceback or a sys.exit() message follows what the script printed, in
    a file or pipe both go to, as in a direct run."""
    for name in _FLUSH_ORDER:
        stream = getattr(sys, name, None)
        if stream is not None:
            _flush(stream)


def run(p):
    """Run the rest of the script.  Returns how it ended: ("end", None),
    ("exit", the SystemExit) or ("uncaught", the exception, printed
    already by sys.excepthook as the top level would)."""
    try:
        exec(p.code, p.namespace)
    except SystemExit as e:
        flush_io()
        return "exit", e
    except BaseException as e:
        flush_io()
        tb = e.__traceback__.tb_next if e.__traceback__ else None
        e.__traceback__ = tb     # our frame is not the script's
        _print_uncaught(e, tb)
        return "uncaught", e
    flush_io()
    return "end", None


def status_of(outcome):
    """The exit status of an outcome, printing what the top level prints
    for a SystemExit; None for death by SIGINT: Python dies of it for an
    uncaught KeyboardInterrupt itself, not for a subclass of it."""
    kind, exc = outcome
    if kind == "exit":
        return _exit_status_of(exc)
    if kind == "uncaught":
        return None if type(exc) is KeyboardInterrupt else 1
    return 0


# --------------------------------------------------------------- leaving

WRITER_TYPES = (io.BufferedWriter, io.BufferedRandom, io.TextIOWrapper)
# Open writers made before the server, as weak references: a plain list,
# whose walk in a call runs no Python code (a WeakSet's iteration does).
server_files = []
opened_for_writing = [None]      # files the call opened to write, or
                                 # None: not counted (walk the heap)


def note_server_files():
    """In the server, before gc.freeze(): the buffered writers that exist,
    which gc.get_objects() will not list after the freeze."""
    for obj in gc.get_objects():
        if isinstance(obj, WRITER_TYPES):
            server_files.append(weakref.ref(obj))


def flush_server_files():
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            _flush(stream)
    for ref in server_files:
        obj = ref()
        if obj is not None:
            _flush(obj)


def _count_opens(event, args):
    """Audit hook: count opens that may leave a buffer to flush (mode None
    is os.open: look at the flags)."""
    if event == "open" and len(args) >= 3:
        mode, flags = args[1], args[2]
        if (any(c in mode for c in "wax+") if isinstance(mode, str)
                else flags & 3):
            opened_for_writing[0] += 1


def count_opens():
    """In the call's process: count the files it opens for writing
    (sys.addaudithook, PEP 578), so that a call that opened none need not
    walk the heap for buffers to flush at its end."""
    if hasattr(sys, "addaudithook"):
        opened_for_writing[0] = 0
        sys.addaudithook(_count_opens)


def _writer_types():
    """The buffered writer classes and their subclasses."""
    seen, todo = set(), list(WRITER_TYPES)
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo.extend(t.__subclasses__())
    return seen


def fast_exit_possible():
    """Can a call leave without the interpreter's teardown?  Needs
    gc.freeze (else finding the open files to flush walks the whole heap:
    PyPy), atexit._run_exitfuncs, no -i, and no other thread running (the
    teardown would join them)."""
    if not hasattr(gc, "freeze") or not hasattr(atexit, "_run_exitfuncs"):
        return False
    if sys.flags.inspect:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() <= 1


def _flush(obj):
    try:
        if not obj.closed:
            obj.flush()
    except Exception:
        pass


def flush_everything():
    """What teardown would write: sys.stdout and sys.stderr, then every
    open buffered file.  False when flushing stdout failed: Python then
    says so and exits 120."""
    ok = True
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None:
            continue
        try:
            if not stream.closed:
                stream.flush()
        except Exception as e:
            if name == "stdout":
                ok = False
                _unraisable(stream, e)
    for ref in server_files:
        obj = ref()
        if obj is not None:
            _flush(obj)
    if opened_for_writing[0] != 0:
        # Every object made since the spare's gc.freeze(): the call's.
        objs = gc.get_objects()
        types = _writer_types()
        for obj in itertools.compress(objs, map(types.__contains__,
                                                map(type, objs))):
            _flush(obj)
    return ok


def _unraisable(obj, e):
    try:
        sys.stderr.write("Exception ignored in: %r\n%s: %s\n"
                         % (obj, type(e).__name__, e))
        sys.stderr.flush()
    except Exception:
        pass


def slow_exit(outcome):
    """The interpreter's own exit, for the same outcome."""
    kind, exc = outcome
    if kind == "exit":
        raise exc
    if kind == "uncaught":
        sys.excepthook = lambda *a: None   # printed already
        if type(exc) is KeyboardInterrupt:
            raise exc
        raise SystemExit(1)
    raise SystemExit(0)


def die_of_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    os._exit(130)                # not reached
