"""A fake nscd: python3 fakenscd.py SOCKET UID NAME HOME.

Listens at SOCKET (mode 0666, as nscd's is) and answers glibc's nscd
protocol, version 2, for one account: a GETPWBYUID request for UID gets
NAME's entry (home HOME, shell /bin/sh), any other uid "not found"; any
other request (glibc first asks for a shared-memory map) is hung up on.
Prints "ready" on stdout once connectable, then serves until killed or
for 60 s at most.
"""
import os
import signal
import socket
import struct
import sys

path, uid, name, home = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
GETPWBYUID = 1
signal.alarm(60)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
s.listen(16)
print('ready', flush=True)


def recv_exactly(c, n):
    data = b''
    while len(data) < n:
        chunk = c.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


while True:
    c, _ = s.accept()
    with c:
        head = recv_exactly(c, 12)
        if len(head) < 12:
            continue
        version, kind, keylen = struct.unpack('=3i', head)
        key = recv_exactly(c, keylen) if 0 < keylen <= 256 else b''
        if version != 2 or kind != GETPWBYUID:
            continue
        if key != b'%d\0' % uid:
            c.sendall(struct.pack('=9i', 2, 0, 0, 0, -1, -1, 0, 0, 0))
            continue
        fields = [name.encode(), b'x', b'only nscd knows', home.encode(), b'/bin/sh']
        n = [len(f) + 1 for f in fields]
        c.sendall(struct.pack('=9i', 2, 1, n[0], n[1], uid, uid, n[2], n[3], n[4]) +
                  b''.join(f + b'\0' for f in fields))
