# The network namespaces a process tree uses, and whether any process
# still holds them.
#   nsinodes.py of PID    the namespaces PID and its descendants are in or
#                         hold sockets of, one "INODE:COOKIE" a line
#   nsinodes.py held INODE:COOKIE...   the ones some process is in, or holds
#                         open as a namespace file; nothing: none
# An inode number is reused as soon as its namespace is gone (other tests
# make namespaces meanwhile): the cookie (SO_NETNS_COOKIE, 5.14), never
# reused, tells a namespace from its successor.
import ctypes
import fcntl
import os
import socket
import sys

SIOCGSKNS = 0x894C
SYS_PIDFD_GETFD = 438
CLONE_NEWNET = 0x40000000
SO_NETNS_COOKIE = 71
libc = ctypes.CDLL(None, use_errno=True)


def cookie(nsfd):
    """The cookie of the namespace nsfd refers to, asked from a child that
    enters it; 0 where the kernel has none."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            if libc.setns(nsfd, CLONE_NEWNET) == 0:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                os.write(w, s.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8))
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 8)
    os.close(r)
    os.waitpid(pid, 0)
    return int.from_bytes(data, sys.byteorder) if len(data) == 8 else 0


def identity(nsfd):
    return "%d:%d" % (os.fstat(nsfd).st_ino, cookie(nsfd))


def children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def socket_namespaces(pid):
    found = set()
    pidfd = os.pidfd_open(pid)
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if not os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:"):
                continue
        except OSError:
            continue
        copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
        if copy < 0:
            continue
        try:
            ns = fcntl.ioctl(copy, SIOCGSKNS)
            found.add(identity(ns))
            os.close(ns)
        except OSError:
            pass
        os.close(copy)
    os.close(pidfd)
    return found


def tree_namespaces(root):
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        ns = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
        found.add(identity(ns))
        os.close(ns)
        found |= socket_namespaces(pid)
        todo += children(pid)
    return found


def held(wanted):
    inodes = {int(w.split(":")[0]): w for w in wanted}
    still = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        links = ["/proc/%s/ns/net" % entry]
        try:
            links += ["/proc/%s/fd/%s" % (entry, fd) for fd in os.listdir("/proc/%s/fd" % entry)]
        except OSError:
            pass
        for link in links:
            try:
                target = os.readlink(link)
            except OSError:
                continue
            if not target.startswith("net:[") or int(target[5:-1]) not in inodes:
                continue
            try:
                ns = os.open(link, os.O_RDONLY)
            except OSError:
                continue
            if identity(ns) == inodes[int(target[5:-1])]:
                still.add(inodes[int(target[5:-1])])
            os.close(ns)
    return still


if sys.argv[1] == "of":
    for ns in sorted(tree_namespaces(int(sys.argv[2]))):
        print(ns)
else:
    for ns in sorted(held(sys.argv[2:])):
        print(ns)
