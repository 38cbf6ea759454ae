# The network namespaces a process tree uses, and whether any process
# still holds them.
#   nsinodes.py of PID    inodes of the namespaces PID and its descendants
#                         are in or hold sockets of (one a line)
#   nsinodes.py held INODE...   the ones some process is in, or holds open
#                         as a namespace file (one a line); nothing: none
import ctypes
import fcntl
import os
import sys

SIOCGSKNS = 0x894C
SYS_PIDFD_GETFD = 438
libc = ctypes.CDLL(None, use_errno=True)


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
            found.add(os.fstat(ns).st_ino)
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
        found.add(os.stat("/proc/%d/ns/net" % pid).st_ino)
        found |= socket_namespaces(pid)
        todo += children(pid)
    return found


def held(inodes):
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
            if target.startswith("net:[") and int(target[5:-1]) in inodes:
                still.add(int(target[5:-1]))
    return still


if sys.argv[1] == "of":
    for ino in sorted(tree_namespaces(int(sys.argv[2]))):
        print(ino)
else:
    for ino in sorted(held({int(a) for a in sys.argv[2:]})):
        print(ino)
