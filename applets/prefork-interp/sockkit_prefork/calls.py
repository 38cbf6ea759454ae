"""What the server keeps of each call and each spare, and how a spare
that received its call leaves the server's code."""

import mmap
import struct
import time


def recv_nowait(sock, size):
    """What a non-blocking socket has: bytes, b"" at EOF or on an error
    (the peer is gone either way), None when nothing is there yet."""
    try:
        return sock.recv(size)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""


class BecomeCall:
    """Returned up the server's stack, in a spare that received its call,
    to initialisation_complete(), which goes on with the script.  (Plain
    returns: an exception's unwinding makes traceback objects, on the
    call's path.)"""

    def __init__(self, conn, chan, ext):
        self.conn, self.chan, self.ext = conn, chan, ext
        self.pid = self.identity = self.server = None


class Call:
    """One caller's connection, from the greeting to its status."""
    __slots__ = ("sock", "ext", "pid", "int_at", "kill_at", "gone", "chan",
                 "cbuf", "reported", "watching", "polled", "real", "slot")

    def __init__(self, sock):
        self.sock = sock
        self.ext = False         # the call process read a sockkit-x1 request
        self.pid = 0             # the call process, once handed over
        self.int_at = None       # when the caller's EOF means it has gone
        self.kill_at = None      # when SIGKILL follows the SIGINT
        self.gone = False        # status sent or caller gone: no more I/O
        self.chan = None         # socket pair to the call process
        self.cbuf = b""
        self.reported = None     # the status the call process sent itself
        self.watching = False    # reading signal codes and EOF from sock
        self.polled = False      # sock is in the epoll set
        self.real = False        # a request came (not a status probe)
        self.slot = None         # the call process's slot of Counters


class Spare:
    __slots__ = ("pid", "sock", "accepting", "slot")

    def __init__(self, pid, sock, accepting, slot):
        self.pid, self.sock, self.accepting = pid, sock, accepting
        self.slot = slot         # of Counters, marked when a call comes


class Counters:
    """The greeting's status words, in a mapping the server shares with
    its spares: when the server started, how many calls it served, when
    the last one came.  The server alone writes the totals.  A call's
    process marks a slot of its own the moment its request is read, so
    that a count read just after the call ended already has it; the
    server folds the slot into the totals when it hears of the call
    (clearing the slot first: a reader may miss a call for that instant,
    never count it twice)."""

    NSLOTS = 64                  # more spares and calls at once: counted late
    FORMAT = struct.Struct("<3Q%dQ" % (2 * NSLOTS))   # head, (flag, time)*

    def __init__(self):
        self.map = mmap.mmap(-1, self.FORMAT.size)
        self.FORMAT.pack_into(self.map, 0, *([int(time.time())] + [0] * (
            2 + 2 * self.NSLOTS)))
        self.free = list(range(self.NSLOTS))

    def _slot_at(self, slot):
        return 24 + 16 * slot

    # -- in the server
    def take_slot(self):
        return self.free.pop() if self.free else None

    def give_slot(self, slot):
        """The process that had slot has ended: clear it, for the next."""
        if slot is not None:
            struct.pack_into("<QQ", self.map, self._slot_at(slot), 0, 0)
            self.free.append(slot)

    def fold(self, slot):
        """A call has come: into the totals, out of its slot."""
        _, calls, last = struct.unpack_from("<3Q", self.map, 0)
        when = int(time.time())
        if slot is not None:
            flag, marked = struct.unpack_from("<QQ", self.map,
                                              self._slot_at(slot))
            struct.pack_into("<QQ", self.map, self._slot_at(slot), 0, 0)
            when = marked if flag else when
        struct.pack_into("<QQ", self.map, 8, calls + 1, max(last, when))

    # -- in a call's process
    def mark(self, slot):
        if slot is not None:
            struct.pack_into("<QQ", self.map, self._slot_at(slot), 1,
                             int(time.time()))

    # -- anywhere
    def words(self):
        """(started, calls, last-call) as the greeting says them."""
        v = self.FORMAT.unpack_from(self.map, 0)
        return v[0], v[1] + sum(v[3::2]), max(v[2:][::2])
