"""The forker: the server's own process, parent of every spare, and the
only thing it does is fork them.

A fork shares all of the forking process's pages with the child, and the
first write to one of them, by either process, copies it at a page fault.
The server's bookkeeping (calls, sockets, timers) wrote some 150 pages
between two forks, and copied them again after each: a third of a call's
cost, spent by the server.  So the server forks once, at start, a
bookkeeper (server.Server, which never forks) and stays the forker: it
forks a spare when the bookkeeper asks, reaps its children and passes
their wait statuses on.  Its loop writes a few dozen pages a fork.  It
keeps the server's pid, so that a call's getppid() and prefork-interp
--list name the process calls are forked from, as before.

On a SOCK_SEQPACKET pair, one record a message:
    bookkeeper -> forker   F, accepting (one byte), slot (i32), with the
                           spare's end of its socket pair to the bookkeeper
                           and the watch's inotify descriptor, if any (the
                           forker keeps none: the last close of an inotify
                           descriptor waits some 15 ms for the kernel, and
                           would hold up the server's exit)
    forker -> bookkeeper   P, pid, 0 (i32 each): the spare forked for the
                           oldest request not answered yet (pid 0: fork
                           failed, the log says why)
                           W, pid, wait status (i32 each): a child reaped
The forker ends when the bookkeeper does (it has no call left then, and a
spare that is left ends when its socket pair closes), and the bookkeeper
when the forker does.
"""

import os
import select
import signal
import socket
import struct

from . import executor, protocol
from .calls import BecomeCall

try:
    from _signal import signal as raw_signal, SIG_DFL as RAW_SIG_DFL
except ImportError:
    raw_signal, RAW_SIG_DFL = signal.signal, signal.SIG_DFL

RECORD = struct.Struct("=cii")   # P or W records (host order: one machine)
REQUEST = struct.Struct("=c?i")
FDS = {4: struct.Struct("i"), 8: struct.Struct("ii")}
SEND_TIMEOUT = 5                 # seconds: a bookkeeper that reads nothing


def control_pair():
    return protocol.socket_pair(socket.SOCK_SEQPACKET)


def request(ctl, accepting, slot, chan_fd, watch_fd):
    """In the bookkeeper: ask for a spare that will use chan_fd, and
    watch_fd (-1: none)."""
    fds = (chan_fd,) if watch_fd < 0 else (chan_fd, watch_fd)
    ctl.sendmsg([REQUEST.pack(b"F", accepting, -1 if slot is None else slot)],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                  FDS[4 * len(fds)].pack(*fds))])


def records(ctl):
    """In the bookkeeper: the (kind, pid, value) records waiting on the
    non-blocking ctl; kind None: the forker is gone."""
    out = []
    while True:
        try:
            data = ctl.recv(RECORD.size)
        except (BlockingIOError, InterruptedError):
            return out
        except OSError:
            data = b""
        if len(data) != RECORD.size:
            out.append((None, 0, 0))
            return out
        out.append(RECORD.unpack(data))


def _malloc_consolidator():
    """glibc's malloc_trim(0), or a no-op.  The forker's loop leaves small
    chunks on malloc's fast lists, and a spare's first large allocation
    would merge them all, writing (so copying) some 50 pages the call never
    uses; merged here once a fork, they are not.  Other C libraries, or no
    ctypes: nothing to do."""
    try:
        import ctypes
        trim = ctypes.CDLL(None).malloc_trim
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    except (ImportError, OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


class Forker:
    """What a spare needs of the server, and the loop that forks them."""

    def __init__(self, ctl, listen, watch, ext, stdio, log, counters):
        self.ctl = ctl
        self.listen = listen
        self.watch, self.ext, self.stdio = watch, ext, stdio
        self.log, self.counters = log, counters
        self.bookkeeper = 0      # its pid
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        raw_signal(int(signal.SIGCHLD), lambda s, f: None)
        ctl.settimeout(SEND_TIMEOUT)
        self.consolidate = _malloc_consolidator()

    @classmethod
    def of_server(cls, server, ctl, bookkeeper):
        """In the server, once the bookkeeper is forked: none of the
        bookkeeper's descriptors (but the listening socket, for spares
        that accept, and the watch, which they look at)."""
        for fd in (server.watchi, server.watche):
            os.close(fd)
        server.sel.close()
        server.chan_sel.close()
        for c in server.calls.values():
            protocol.drop(c.sock)
            if c.chan is not None:
                protocol.drop(c.chan)
        for spare in list(server.spares.values()) + server.pending:
            protocol.drop(spare.sock)
        for sock in server.closing:
            protocol.drop(sock)
        server.watch.close()     # each request brings it (see above)
        forker = cls(ctl, server.listen, server.watch, server.ext,
                     server.stdio, server.log, server.counters)
        forker.bookkeeper = bookkeeper
        return forker

    def run(self):
        """Serve requests until the bookkeeper is gone (then _exit);
        returns in a spare that has a call."""
        p = select.poll()
        p.register(self.ctl, select.POLLIN)
        p.register(self.wake_r, select.POLLIN)
        while True:
            for fd, _ in p.poll():
                if fd == self.wake_r:
                    try:
                        os.read(self.wake_r, 512)
                    except BlockingIOError:
                        pass
                else:
                    call = self.serve()
                    if call is not None:
                        return call      # in the spare
            self.reap()

    def serve(self):
        """A request from the bookkeeper; returns in the spare it forks."""
        try:
            data, anc, _, _ = self.ctl.recvmsg(REQUEST.size,
                                               protocol.ANC_SPACE,
                                               protocol.MSG_CMSG_CLOEXEC)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return None
        except OSError:
            data, anc = b"", []
        # Checked without protocol.fds_of(): each object made here is a
        # write to a page the spares share, copied once a fork.
        if (len(data) == REQUEST.size and len(anc) == 1 and
                anc[0][0] == socket.SOL_SOCKET and
                anc[0][1] == socket.SCM_RIGHTS and len(anc[0][2]) in FDS):
            return self.fork(data, *FDS[len(anc[0][2])].unpack(anc[0][2]))
        fds = protocol.fds_of(anc)
        for fd in fds:
            os.close(fd)
        if data:
            self.log("err", "forker: request %r with %d fds" % (data, len(fds)))
        else:
            # The bookkeeper ended: after its last call (a spare left
            # ends when its socket pair closes), or killed.  Nobody needs
            # a status any more.
            self.bookkeeper_ended()
        return None

    def bookkeeper_ended(self):
        """Log how the bookkeeper ended, unless normally, and _exit.  Its
        socket closes as it exits: its status comes within moments."""
        p = select.poll()
        p.register(self.wake_r, select.POLLIN)
        for _ in range(10):      # a second at most
            try:
                pid, status = os.waitpid(self.bookkeeper, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                if status:
                    self.log("err", "the bookkeeper [%d] ended with status "
                             "%#x: the server quits" % (pid, status))
                break
            p.poll(100)
        os._exit(0)

    def fork(self, request, chan_fd, watch_fd=-1):
        """Fork a spare that talks to the bookkeeper on chan_fd; returns in
        the spare, its call."""
        _, accepting, slot = REQUEST.unpack(request)
        self.consolidate()
        try:
            pid = os.fork()
        except OSError as e:
            self.log("err", "fork: %s" % e)
            pid = -1
        if pid == 0:
            self.watch.fd = watch_fd
            return self.become_spare(chan_fd, accepting,
                                     None if slot < 0 else slot)
        os.close(chan_fd)
        if watch_fd >= 0:
            os.close(watch_fd)
        self.send(b"P", max(pid, 0), 0)
        return None

    def send(self, kind, pid, value):
        try:
            self.ctl.send(RECORD.pack(kind, pid, value))
        except OSError:
            pass                 # the bookkeeper is gone: nobody to tell

    def reap(self):
        """Pass every wait status on."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.send(b"W", pid, status)

    def become_spare(self, chan_fd, accepting, slot):
        """In the child: drop the forker's state and wait for a call."""
        try:
            signal.set_wakeup_fd(-1)
            # signal.signal() would convert the old handler, a lambda, to
            # an enum member by failing to: an exception, in a process
            # whose every first write to a page copies it.
            raw_signal(int(signal.SIGCHLD), RAW_SIG_DFL)
            os.close(self.wake_r)
            os.close(self.wake_w)
            protocol.drop(self.ctl)
            if not accepting:
                protocol.drop(self.listen)
            os.setpgid(0, 0)
            chan = protocol.plain_socket(chan_fd)
            spare = executor.Spare(chan, self.listen if accepting else None,
                                   self.watch, self.ext, self.stdio,
                                   self.log)
            spare.counters, spare.slot = self.counters, slot
            conn, ext = executor.become_call(spare)
        except BaseException as e:
            self.log("err", "spare: %s: %s" % (type(e).__name__, e))
            os._exit(127)
        return BecomeCall(conn, chan, ext)
