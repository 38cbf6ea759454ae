#!/usr/bin/env python3
"""A minimal server side of the prefork-interp 7.0.0 protocol, for tests.

Run as the "interpreter" of a shell script: prefork-interp starts
`python3 miniserver.py SCRIPT` once with PREFORK_INTERP set; each call then
runs `sh SCRIPT ARGS...` with the caller's fds, environment and arguments,
and the exit status goes back to the client.  Python 3 standard library only.

MINI_XDATA (in the environment of the starting call) is sent as the
greeting's extra data, to test its length in network byte order.
MINI_PIDFILE: the server writes its pid there once it is serving.
MINI_ACCEPTLOG: the server appends a line there for every connection it
accepts (to show that a client did not connect).
Each call's script sees the server's pid in MINI_SERVER_PID.
"""
import os
import select
import signal
import socket
import struct
import sys

HERE = os.path.abspath(__file__)
SERVER_PID = 0


def read_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError('peer closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


def script_argv(argv):
    """Wire argv is [interpreter, script, args...]; in the direct form the
    "script" is this file and the real script follows it."""
    rest = argv[1:]
    if rest and os.path.abspath(rest[0]) == HERE:
        rest = rest[1:]
    return ['sh'] + rest


def receive_request(conn):
    byte = read_exact(conn, 1)
    if byte != b'\0':
        raise ValueError('signalling byte %r' % byte)
    fds = []
    for _ in range(3):
        msg, got, _flags, _addr = socket.recv_fds(conn, 1, 1)
        if msg != b'\0' or len(got) != 1:
            raise ValueError('bad fd message')
        fds += got
    length = struct.unpack('>I', read_exact(conn, 4))[0]
    strings = read_exact(conn, length).split(b'\0')
    if strings.pop() != b'':
        raise ValueError('message data missing trailing nul')
    env = {}
    while True:
        s = strings.pop(0)
        if not s:
            break
        k, _, v = s.partition(b'=')
        env[k] = v
    return fds, env, [os.fsdecode(s) for s in strings]


def run_executor(fds, env, argv):
    pid = os.fork()
    if pid:
        return pid
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
    os.closerange(3, 65536)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # Python ignores it
    try:
        os.execvpe('sh', script_argv(argv), env)
    finally:
        os._exit(127)


def monitor(conn, xdata):
    """One call: greeting, request, executor, status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    conn.sendall(b'PFI\n' + struct.pack('>I', len(xdata)) + xdata)
    try:
        fds, env, argv = receive_request(conn)
    except EOFError:
        os._exit(0)
    env[b'MINI_SERVER_PID'] = str(SERVER_PID).encode()
    pid = run_executor(fds, env, argv)
    for fd in fds:
        os.close(fd)
    pidfd = os.pidfd_open(pid)
    ready, _, _ = select.select([conn, pidfd], [], [])
    if conn in ready and pidfd not in ready:
        os.kill(pid, signal.SIGINT)     # the caller went away
    _, status = os.waitpid(pid, 0)
    try:
        conn.sendall(struct.pack('>I', status))
    except OSError:
        pass
    os._exit(0)


def serve(listen_fd, call_fd, watch_in, watch_out):
    xdata = os.environb.get(b'MINI_XDATA', b'')
    pidfile = os.environ.get('MINI_PIDFILE')
    acceptlog = os.environ.get('MINI_ACCEPTLOG')
    if os.fork():
        os._exit(0)                     # the setup run ends here
    os.setsid()
    global SERVER_PID
    SERVER_PID = os.getpid()
    listener = socket.socket(fileno=listen_fd)
    listener.setblocking(False)
    if os.fork() == 0:
        os.close(listen_fd)
        monitor(socket.socket(fileno=call_fd), xdata)
    os.close(call_fd)
    null = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    if pidfile:
        with open(pidfile + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(pidfile + '.tmp', pidfile)
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        ready, _, _ = select.select([listener, watch_out], [], [], 1.0)
        if watch_out in ready:
            os._exit(0)                 # the watcher ended: socket gone
        if listener in ready:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                continue
            if acceptlog:
                with open(acceptlog, 'a') as f:
                    f.write('accepted\n')
            if os.fork() == 0:
                listener.close()
                conn.setblocking(True)
                monitor(conn, xdata)
            conn.close()


def main():
    spec = os.environ.pop('PREFORK_INTERP', None)
    if spec is None:
        os.execvp('sh', script_argv([sys.argv[0]] + sys.argv))
    words = spec.split(' ')
    if not words[0].startswith('v1,'):
        sys.exit('miniserver: PREFORK_INTERP=%s: not v1' % spec)
    fds = [int(x) for x in words[1].split(',')]
    serve(*fds[:4])


main()
