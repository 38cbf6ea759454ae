#!/usr/bin/env python3
"""A misbehaving "server" at a socket path, for tests: fakesock.py MODE PATH

MODE: silent (accepts, never speaks), garbage (a wrong greeting), eof
(accepts and closes), refused (binds, never listens: connect is refused),
otheruid (listens as uid 65534, then greets correctly), full (a backlog
of 0 and never accepts: a second connect blocks), deaf (greets correctly,
then reads nothing), x1status (writes the info file a client would, as
a sockkit-x1 server, unless FAKE_NOINFO is set, then greets with the status words of FAKE_WORDS,
space-separated, and appends "got N" to FAKE_RECORD once the peer closed,
N the bytes it sent).
The socket is made 0600.  Prints "ready" on stdout once connectable, then
serves until killed or for 60 s at most.
"""
import os
import signal
import socket
import sys
import time

mode, path = sys.argv[1], sys.argv[2]
signal.alarm(60)
old = os.umask(0o177)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.umask(old)
if mode == 'refused':
    s.close()
    print('ready', flush=True)
    sys.exit(0)
if mode == 'otheruid':
    os.setgid(65534)
    os.setuid(65534)
if mode == 'full':
    s.listen(0)
    print('ready', flush=True)
    while True:
        time.sleep(60)
s.listen(64)
if mode == 'x1status' and not os.environ.get('FAKE_NOINFO'):
    d, name = os.path.split(path)
    with open(os.path.join(d, 'i' + name[1:]), 'wb') as f:
        f.write(b'sockkit-prefork-info 1\0interp=fake\0protocol=sockkit-x1\0'
                b'listener=%d\0' % os.fstat(s.fileno()).st_ino)
print('ready', flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == 'silent':
        held.append(c)
    elif mode == 'garbage':
        c.sendall(b'HTTP/1.0 200 OK\r\n\r\n')
        held.append(c)
    elif mode == 'x1status':
        words = os.environ['FAKE_WORDS'].encode().split(b' ')
        xdata = b''.join(w + b'\0' for w in words)
        got = 0
        try:        # the peer may have closed already
            c.sendall(b'PFI\n' + len(xdata).to_bytes(4, 'big') + xdata)
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    break
                got += len(chunk)
        except OSError:
            pass
        c.close()
        with open(os.environ['FAKE_RECORD'], 'a') as f:
            f.write('got %d\n' % got)
    elif mode in ('otheruid', 'deaf'):
        c.sendall(b'PFI\n\0\0\0\0')
        held.append(c)
    else:
        c.close()
