"""What the server keeps of each call and each spare, and how a spare
that received its call leaves the server's code."""


def recv_nowait(sock, size):
    """What a non-blocking socket has: bytes, b"" at EOF or on an error
    (the peer is gone either way), None when nothing is there yet."""
    try:
        return sock.recv(size)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""


class BecomeCall(Exception):
    """Raised in a spare that received its call: unwinds the server's
    stack to initialisation_complete(), which goes on with the script."""

    def __init__(self, conn, chan, ext):
        super().__init__()
        self.conn, self.chan, self.ext = conn, chan, ext


class Call:
    """One caller's connection, from the greeting to its status."""
    __slots__ = ("sock", "ext", "pid", "int_at", "kill_at", "gone", "chan",
                 "cbuf", "reported", "watching", "polled", "real")

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


class Spare:
    __slots__ = ("pid", "sock", "accepting")

    def __init__(self, pid, sock, accepting):
        self.pid, self.sock, self.accepting = pid, sock, accepting
