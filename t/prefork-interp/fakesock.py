#!/usr/bin/env python3
"""A misbehaving "server" at a socket path, for tests: fakesock.py MODE PATH

MODE: silent (accepts, never speaks), garbage (a wrong greeting), eof
(accepts and closes), refused (binds, never listens: connect is refused),
otheruid (listens as uid 65534, then greets correctly), full (a backlog
of 0 and never accepts: a second connect blocks), deaf (greets correctly,
then reads nothing).
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
print('ready', flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == 'silent':
        held.append(c)
    elif mode == 'garbage':
        c.sendall(b'HTTP/1.0 200 OK\r\n\r\n')
        held.append(c)
    elif mode in ('otheruid', 'deaf'):
        c.sendall(b'PFI\n\0\0\0\0')
        held.append(c)
    else:
        c.close()
