"""probe.py SOCKET [SECONDS]: connect, read the greeting, print its xdata
words (or EOF when the server closes first), close without a request;
with SECONDS, probe again every 0.1 s until the socket refuses, bounded,
and print how many probes that took."""
import socket
import struct
import sys
import time


def probe(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    try:
        s.connect(path)
        head = s.recv(8, socket.MSG_WAITALL)
        if len(head) < 8:
            return "EOF"
        (n,) = struct.unpack(">I", head[4:])
        xdata = s.recv(n, socket.MSG_WAITALL) if n else b""
        return " ".join(w.decode() for w in xdata.split(b"\0") if w)
    finally:
        s.close()


if len(sys.argv) == 2:
    print(probe(sys.argv[1]))
else:
    end = time.monotonic() + float(sys.argv[2])
    n = 0
    while time.monotonic() < end:
        try:
            probe(sys.argv[1])
        except OSError:
            print("refused after", n)
            sys.exit(0)
        n += 1
        time.sleep(0.1)
    print("still there after", n)
