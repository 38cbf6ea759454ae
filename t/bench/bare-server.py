# The floor of t/bench/prefork-python.sh: the least a Python prefork server
# can do behind sockkit's client.  It speaks sockkit-x1 (prefork-interp(1),
# PROTOCOL) and forks one process a call, as sockkit_prefork does, but that
# process only takes the caller's descriptors 0-2 and answers status 0: no
# peer check, environment, argv, working directory, Python streams, atexit,
# flush, signals or bookkeeping.  A warm trivial call through it is what any
# server costs here (the client's start, a fork and exit of a Python image,
# the round trips); a real server's figure is that plus what it does.
# The bench puts a #! line before it.  It ends with its socket (the
# watcher's pipe) or after 10 idle minutes.
import os
import select
import socket
import struct

fds = [int(x) for x in os.environ.pop("PREFORK_INTERP").split(" ")[1].split(",")]
listen, first = socket.socket(fileno=fds[0]), socket.socket(fileno=fds[1])
listen.setblocking(True)
watcher = fds[3]
XDATA = b"sockkit-x1\0started=0\0calls=0\0last-call=0\0"
GREETING = b"PFI\n" + struct.pack(">I", len(XDATA)) + XDATA


def exactly(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            os._exit(1)
        data += more
    return data


def one_fd(conn):
    _, anc, _, _ = conn.recvmsg(1, socket.CMSG_SPACE(4))
    return struct.unpack("i", anc[0][2][:4])[0]


def serve(conn):
    conn.settimeout(30)
    conn.sendall(GREETING)
    ext = exactly(conn, 1) == b"\1"
    got = [one_fd(conn) for _ in range(3)]
    exactly(conn, struct.unpack(">I", exactly(conn, 4))[0])
    if ext:
        got.append(one_fd(conn))
        exactly(conn, struct.unpack(">I", exactly(conn, 4))[0])
    for i in range(3):
        os.dup2(got[i], i)
    conn.sendall(b"X\0\0\0\0" if ext else b"\0\0\0\0")
    os._exit(0)


def spare(took_w, conn=None):
    if os.fork() == 0:
        if conn is None:
            conn = listen.accept()[0]
        os.write(took_w, b"t")          # the server forks the next one
        serve(conn)


if os.fork():
    os._exit(0)                         # the setup run: the client goes on
os.setsid()
null = os.open(os.devnull, os.O_RDWR)
for i in range(3):
    os.dup2(null, i)
took_r, took_w = os.pipe()
spare(took_w, first)
first.close()
spare(took_w)
while select.select([took_r, watcher], [], [], 600)[0] == [took_r]:
    os.read(took_r, 1)
    spare(took_w)
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
os._exit(0)
