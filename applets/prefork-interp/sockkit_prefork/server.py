"""The bookkeeper: the server's work but forking.  It keeps spare call
processes ready (asking the forker, forker.py, for them: the server's own
process, which forks them and passes on their wait statuses), accepts
calls itself only when no spare can, forwards signals, notices callers
that go away, reports the wait statuses that call processes could not
report themselves, and quits on reload, idle timeout or a lost socket.

Spares accept, greet and read calls themselves, so neither process is on
a call's path.  Spares are asked for while no call is working (a fork and
a spare's set-up would compete with the call for the CPU).  A call
accepted here (no spare ready, or max_servers calls running) waits in a
queue for a spare that does not accept, so that a hand-over and an accept
never race.  Messages from call processes on their socket pair:
    A + fd   a spare accepted this connection (before greeting it)
    R + ext  the request is read: the caller is now watched for signals
    S + u32  the process sent this status to its caller itself
    N        the caller closed before any request (a status probe)
    Q + name a watched file changed (seen by a spare before greeting)
They are read on every wake-up, not polled for: a message to a sleeping
bookkeeper would wake it onto the sender's CPU and delay the call.
"""

import os
import select
import signal
import socket
import struct
import time

from . import forker, protocol
from .calls import Call, Counters, Spare, recv_nowait

EPOLLRDHUP = getattr(select, "EPOLLRDHUP", 0x2000)    # absent in PyPy 3.9
EOF_SETTLE = 0.05                # seconds: see Server.caller_gone
CHAN_TICK = 0.02                 # read call processes' news this often
SPARE_DEATHS_TO_QUIT = 5         # spares dying in a row before any call


class Server:
    def __init__(self, opts, info, watch, stdio, log):
        self.log = log
        self.max_servers = opts["max_servers"]
        self.idle_timeout = opts["idle_timeout"]
        self.grace = opts["hangup_grace"]
        self.nspares = opts["spares"]
        self.stdio = stdio
        self.watch = watch
        self.ext = info.ext
        self.refill = True       # make spares up to nspares when idle
        self.spare_deaths = 0    # in a row, since a spare last took a call
        self.listening = True    # listen is polled (no spare to accept)
        self.listen = socket.socket(fileno=info.listen_fd)
        self.listen.setblocking(False)
        self.watchi, self.watche = info.watchi, info.watche
        first = socket.socket(fileno=info.call_fd)
        for fd in (info.listen_fd, info.call_fd, info.watchi, info.watche):
            os.set_inheritable(fd, False)
        self.counters = Counters()   # the greeting's status words
        self.slot_of = {}            # child pid -> its slot of counters
        self.calls = {}          # conn fd -> Call
        self.chans = {}          # call process's socket fd -> Call
        # The chans, looked at (never waited on) on each wake-up: one
        # epoll_wait instead of a recv, and its exception, per call.
        self.chan_sel = select.epoll()
        self.by_pid = {}         # call process pid -> Call
        self.queue = []          # greeted calls waiting for a call process
        self.spares = {}         # socket fd -> Spare, polled
        self.pending = []        # Spares asked of the forker, no pid yet
        self.ctl = None          # socket pair to the forker
        self.forker_pid = 0
        self.quitting = None
        self.closing = []        # closed after each batch of events
        self.last_busy = time.monotonic()
        self.sel = select.epoll()
        self.sel.register(self.listen.fileno(), select.EPOLLIN)
        self.sel.register(self.watche, select.EPOLLIN)
        if watch.fd >= 0:
            self.sel.register(watch.fd, select.EPOLLIN)
        self.new_call(first)

    # -- the loop
    def run(self):
        """Returns only in a spare, forked by the forker, that has a call:
        that call (a BecomeCall)."""
        call = self.split()
        if call is not None:
            return call
        while True:
            if self.quitting and not self.by_pid and not self.queue:
                self.log("debug", "every call served: exit")
                if self.ctl is not None:   # the forker ends now: our exit
                    self.ctl.close()       # may wait ~15 ms (inotify's close)
                os._exit(0)
            asked = list(self.spares.values()) + self.pending
            if self.queue and self.room(0) and not any(
                    not s.accepting for s in asked):
                self.fork_spare(accepting=False)      # for the waiting call
                self.after_batch()
                continue
            need_spare = (self.refill and len(asked) < self.nspares
                          and self.room(len(asked))
                          and not self.quitting
                          and (not self.ready() or not self.busy()))
            events = self.sel.poll(0 if need_spare else self.timeout())
            if not events and need_spare:
                self.fork_spare()
                self.after_batch()
                continue
            for fd, ev in events:
                self.event(fd, ev)
            self.read_chans()
            self.timers()
            self.after_batch()

    def split(self):
        """Fork the bookkeeper, which goes on here (returns None); this
        process becomes the forker (returns in a spare, its call)."""
        mine, theirs = forker.control_pair()
        pid = os.fork()
        if pid == 0:
            protocol.drop(theirs)
            mine.setblocking(False)
            self.ctl, self.forker_pid = mine, os.getppid()
            self.sel.register(mine.fileno(), select.EPOLLIN)
            return None
        protocol.drop(mine)
        return forker.Forker.of_server(self, theirs, pid).run()

    def after_batch(self):
        self.dispatch()
        self.listen_when_no_spare()
        # Only now: a number freed during a batch and reused by accept
        # would receive the batch's stale events.
        for sock in self.closing:
            sock.close()
        self.closing = []

    def ready(self):
        """Is a spare waiting to accept the next call?  Without one the
        next call waits for a fork and a spare's set-up: a spare is then
        made at once, even while a call is working."""
        return any(s.accepting for s in self.spares.values())

    def room(self, extra):
        """May another call process start, besides extra spares?  A call
        that sent its status is only tearing down: it does not count."""
        if self.max_servers < 0:
            return True
        running = sum(c.reported is None for c in self.by_pid.values())
        return running + extra < self.max_servers

    def listen_when_no_spare(self):
        """The server accepts only when no spare does."""
        want = not any(s.accepting for s in self.spares.values())
        if self.listen is not None and want != self.listening:
            self.sel.modify(self.listen.fileno(),
                            select.EPOLLIN if want else 0)
            self.listening = want

    def read_chans(self):
        for fd, _ in self.chan_sel.poll(0):
            c = self.chans.get(fd)
            if c is not None:
                self.chan_input(c)

    def busy(self):
        """Is a call process still working (no status sent yet)?"""
        self.read_chans()
        return any(c.reported is None for c in self.by_pid.values())

    def timeout(self):
        t = []
        now = time.monotonic()
        if any(c.chan is not None and not c.watching and not c.gone
               for c in self.by_pid.values()):
            t.append(CHAN_TICK)
        for c in self.by_pid.values():
            t.extend(at - now for at in (c.int_at, c.kill_at)
                     if at is not None)
        if not self.by_pid and not self.queue and self.idle_timeout >= 0 \
                and not self.quitting:
            t.append(self.last_busy + self.idle_timeout - now)
        return max(0.0, min(t)) if t else -1

    def timers(self):
        now = time.monotonic()
        for c in list(self.by_pid.values()):
            if c.int_at is not None and now >= c.int_at:
                c.int_at = None
                self.chan_input(c)
                if c.reported is None:
                    protocol.killpg(c.pid, signal.SIGINT)
                    c.kill_at = now + self.grace
            if c.kill_at is not None and now >= c.kill_at:
                c.kill_at = None
                self.log("warning", "call process [%d]: caller gone, SIGKILL"
                         % c.pid)
                protocol.killpg(c.pid, signal.SIGKILL)
        if (self.idle_timeout >= 0 and not self.by_pid and not self.queue
                and now >= self.last_busy + self.idle_timeout):
            self.quit("idle for %gs" % self.idle_timeout)

    def event(self, fd, ev):
        if fd == self.watch.fd:
            changed = self.watch.drain()
            if changed:
                self.sel.unregister(fd)
                self.quit("reloading: %s changed" % changed)
        elif fd == self.watche:
            try:
                msg = os.read(self.watche, 2048)
            except BlockingIOError:
                return
            if msg:
                self.log("err", "watcher: %s" % msg.decode(errors="replace")
                         .strip())
            self.sel.unregister(self.watche)
            self.quit("socket gone (watcher ended)")
        elif self.listen is not None and fd == self.listen.fileno():
            self.accept()
        elif self.ctl is not None and fd == self.ctl.fileno():
            self.forker_input()
        elif fd in self.calls:
            self.conn_input(self.calls[fd])
        elif fd in self.spares:
            self.spare_input(self.spares[fd])

    # -- calls
    def accept(self):
        while self.listen is not None:
            try:
                conn, _ = self.listen.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.log("warning", "accept: %s" % e)
                return
            try:
                uid = protocol.peer_uid(conn)
            except OSError as e:
                uid = "unknown (%s)" % e
            if uid != os.getuid():
                self.log("warning", "refused a connection from uid %s" % uid)
                conn.close()
                continue
            changed = self.watch.check()
            if changed:
                conn.close()     # EOF before greeting: the client respawns
                self.quit("reloading: %s changed" % changed)
                return
            self.log("debug", "accepted a call: no spare was ready")
            self.new_call(conn)

    def new_call(self, conn):
        try:
            conn.send(protocol.greeting(self.ext, *self.counters.words()))
        except OSError:
            conn.close()
            return
        conn.setblocking(False)
        c = Call(conn)
        self.calls[conn.fileno()] = c
        # While it waits for a call process, only a hang-up matters.
        self.poll(c, EPOLLRDHUP)
        self.queue.append(c)

    def count_call(self, c):
        self.counters.fold(c.slot)
        self.last_busy = time.monotonic()

    def poll(self, c, events):
        """Watch c's connection for events; None: not at all (EPOLLHUP
        cannot be masked, so a dead peer would wake us for ever)."""
        if c.polled:
            self.sel.unregister(c.sock.fileno())
        c.polled = events is not None
        if c.polled:
            self.sel.register(c.sock.fileno(), events)

    def forget(self, c):
        self.poll(c, None)
        del self.calls[c.sock.fileno()]
        self.closing.append(c.sock)

    def conn_input(self, c):
        if not c.watching:
            if not c.pid:        # a queued caller went away
                self.queue.remove(c)
                self.forget(c)
            else:                # its call process will see the EOF itself
                self.poll(c, None)
            return
        data = recv_nowait(c.sock, 4096)
        if data is None:
            return
        if not data:
            self.chan_input(c)   # an early status sent just before?
            if not c.gone:
                self.caller_gone(c)
            return
        if c.ext:
            for code in data:
                self.forward(c, code)

    def chan_input(self, c):
        """News from the call process (see the module's docstring)."""
        if c.chan is None:
            return
        data = recv_nowait(c.chan, 64)
        if data is None:
            return
        if not data:
            self.close_chan(c)
            return
        c.cbuf += data
        while c.cbuf:
            kind = c.cbuf[:1]
            if kind == b"R" and len(c.cbuf) >= 2:
                c.ext, c.real = c.cbuf[1] == 1, True
                c.cbuf = c.cbuf[2:]
                self.count_call(c)
                if not c.gone:
                    c.watching = True
                    self.poll(c, select.EPOLLIN)
            elif kind == b"S" and len(c.cbuf) >= 5:
                (c.reported,) = struct.unpack(">I", c.cbuf[1:5])
                c.cbuf = c.cbuf[5:]
                self.stop_watching(c)
            elif kind == b"N":
                c.cbuf = c.cbuf[1:]
                self.stop_watching(c)    # a probe: nothing to report
            elif kind in (b"R", b"S"):
                return           # the rest is on its way
            else:
                self.log("err", "call process [%d] sent %r" % (c.pid, c.cbuf))
                self.close_chan(c)
                return

    def add_chan(self, c, sock):
        c.chan = sock
        self.chans[sock.fileno()] = c
        self.chan_sel.register(sock.fileno(), select.EPOLLIN)

    def close_chan(self, c):
        if c.chan is not None:
            if self.chans.pop(c.chan.fileno(), None) is not None:
                self.chan_sel.unregister(c.chan.fileno())
            self.closing.append(c.chan)
            c.chan = None

    def stop_watching(self, c):
        c.gone = True
        self.poll(c, None)

    def caller_gone(self, c):
        """EOF from the caller.  A call process sends its early status to
        the caller before telling us, so wait a moment for that news
        before taking the EOF for a caller that went away."""
        self.stop_watching(c)
        c.int_at = time.monotonic() + EOF_SETTLE

    def forward(self, c, code):
        name = protocol.WIRE_SIGNALS.get(code)
        if name is None or not hasattr(signal, name):
            self.log("warning", "unknown wire signal %d" % code)
            return
        protocol.killpg(c.pid, getattr(signal, name))

    # -- call processes
    def fork_spare(self, accepting=True):
        """Ask the forker for a spare (one once it names its pid)."""
        if self.ctl is None:
            return
        slot = self.counters.take_slot()
        parent, child = protocol.socket_pair()
        try:
            forker.request(self.ctl, accepting, slot, child.fileno(),
                           self.watch.fd)
        except OSError as e:
            self.log("err", "asking the forker for a spare: %s" % e)
            self.counters.give_slot(slot)
            parent.close()
            self.refill = False  # again at the next event, not in a spin
            return
        finally:
            child.close()
        parent.setblocking(False)
        self.pending.append(Spare(0, parent, accepting, slot))
        if len(self.spares) + len(self.pending) >= self.nspares:
            self.refill = False

    def forker_input(self):
        for kind, pid, value in forker.records(self.ctl):
            if kind == b"P":
                self.spare_forked(pid)
            elif kind == b"W":
                self.reaped(pid, value)
            else:
                self.forker_gone()
                return

    def spare_forked(self, pid):
        """The forker forked the oldest spare asked for (pid 0: it could
        not, and logged why)."""
        if not self.pending:
            self.log("err", "the forker named a spare [%d] never asked for"
                     % pid)
            return
        spare = self.pending.pop(0)
        # Quitting, a spare that would accept is not wanted; one asked for
        # a queued call is: that call was accepted, and is served.
        if pid <= 0 or (self.quitting and spare.accepting):
            self.counters.give_slot(spare.slot)
            self.closing.append(spare.sock)   # it sees EOF, and ends
            self.refill = True
            if pid <= 0:
                time.sleep(0.1)  # forks fail for a while: not in a spin
            return
        spare.pid = pid
        self.slot_of[pid] = spare.slot
        self.spares[spare.sock.fileno()] = spare
        self.sel.register(spare.sock.fileno(), select.EPOLLIN)

    def forker_gone(self):
        """The forker ended: no more spares, nor statuses (a call in flight
        that does not send its own ends without one; its caller says so)."""
        if self.ctl is None:
            return
        self.sel.unregister(self.ctl.fileno())
        self.closing.append(self.ctl)
        self.ctl = None
        self.log("err", "the forker [%d] ended: no more spares, nor wait "
                 "statuses" % self.forker_pid)
        self.quit("the forker ended")
        for c in list(self.by_pid.values()):
            del self.by_pid[c.pid]
            self.close_chan(c)
            self.forget(c)
        for c in self.queue:
            self.forget(c)
        self.queue = []
        for spare in self.pending:
            self.closing.append(spare.sock)
        self.pending = []

    def unspare(self, spare):
        """spare stops being one (taken, gone, or told to go): its socket
        is no longer polled.  Safe to call twice."""
        if self.spares.pop(spare.sock.fileno(), None) is spare:
            self.sel.unregister(spare.sock.fileno())

    def spare_input(self, spare):
        """A spare took a call itself (A + the connection), or saw a
        watched file changed (Q), or ended (EOF)."""
        try:
            data, anc, _, _ = spare.sock.recvmsg(64, protocol.ANC_SPACE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, anc = b"", []
        fds = protocol.fds_of(anc)
        self.unspare(spare)
        if data[:1] == b"A" and len(fds) == 1:
            self.spare_deaths = 0
            conn = protocol.plain_socket(fds[0])
            conn.setblocking(False)
            c = Call(conn)
            self.calls[conn.fileno()] = c
            c.pid, c.cbuf, c.slot = spare.pid, data[1:], spare.slot
            self.by_pid[spare.pid] = c
            self.add_chan(c, spare.sock)
            self.refill = True
            self.chan_input(c)
            return
        for fd in fds:
            os.close(fd)
        self.closing.append(spare.sock)
        if data[:1] == b"Q":
            self.quit("reloading: %s changed" % os.fsdecode(data[1:]))
        elif data:
            self.log("err", "spare [%d] sent %r" % (spare.pid, data))

    def dispatch(self):
        """Hand queued calls to spares that do not accept."""
        while self.queue and self.room(0):
            handy = [s for s in self.spares.values() if not s.accepting]
            if not handy:
                return
            c = self.queue.pop(0)
            spare = handy[0]
            self.unspare(spare)
            try:
                protocol.send_fd(spare.sock, b"H", c.sock.fileno())
            except OSError as e:
                self.log("err", "handing a call to [%d]: %s" % (spare.pid, e))
                self.closing.append(spare.sock)
                self.queue.insert(0, c)
                continue
            c.pid, c.slot = spare.pid, spare.slot
            self.by_pid[spare.pid] = c
            self.add_chan(c, spare.sock)
            self.poll(c, None)   # the call process reads the request

    def report(self, c, status):
        try:
            c.sock.setblocking(True)
            c.sock.settimeout(5)
            c.sock.sendall(protocol.status_record(c.ext, status))
        except OSError:
            pass
        self.stop_watching(c)

    def reaped(self, pid, status):
        """The forker reaped pid (or saw it stop)."""
        for spare in [s for s in self.spares.values() if s.pid == pid]:
            self.spare_input(spare)      # took a call just before?
        c = self.by_pid.get(pid)
        if c is None:
            self.spare_died(pid, status)
            self.counters.give_slot(self.slot_of.pop(pid, None))
        elif os.WIFSTOPPED(status):
            if c.ext and not c.gone:
                try:
                    c.sock.send(protocol.stopped_record(
                        os.WSTOPSIG(status)))
                except OSError:
                    pass
        else:
            self.call_ended(c, status)     # folds its slot in first
            self.counters.give_slot(self.slot_of.pop(pid, None))

    def spare_died(self, pid, status):
        for spare in [s for s in self.spares.values() if s.pid == pid]:
            self.unspare(spare)
            self.closing.append(spare.sock)
        self.refill = True
        if os.WIFSTOPPED(status):
            return
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            self.log("warning", "spare [%d] died: status %#x" % (pid, status))
            self.spare_deaths += 1
            if self.spare_deaths >= SPARE_DEATHS_TO_QUIT:
                # Forking another would die the same way: never a loop.
                self.quit("%d spares in a row died before a call (the log "
                          "says why)" % self.spare_deaths)
                for c in self.queue:     # no process would ever take them
                    self.forget(c)
                self.queue = []

    def call_ended(self, c, status):
        del self.by_pid[c.pid]
        self.refill = True
        self.chan_input(c)       # an early status not read yet
        self.close_chan(c)
        if c.real:
            self.last_busy = time.monotonic()
        if c.reported is not None and c.reported != status:
            self.log("err", "call process [%d] reported status %#x, but its "
                     "wait status is %#x" % (c.pid, c.reported, status))
        if not c.gone:
            self.report(c, status)
        self.forget(c)

    def quit(self, why):
        """Accept no more calls; those accepted are still served."""
        if self.quitting:
            return
        self.quitting = why
        self.log("info", "quitting: %s" % why)
        if self.listen is None:
            return
        try:
            self.listen.shutdown(socket.SHUT_RD)   # connect: refused
        except OSError:
            pass
        while True:
            try:
                conn, _ = self.listen.accept()
            except OSError:
                break
            conn.close()                         # EOF: the client respawns
        self.sel.unregister(self.listen.fileno())
        self.closing.append(self.listen)
        self.listen = None
        for spare in list(self.spares.values()):  # none may take a call now
            if spare.accepting:
                self.spare_input(spare)           # took one just now?
            if spare.accepting and self.spares.get(
                    spare.sock.fileno()) is spare:
                self.unspare(spare)
                self.closing.append(spare.sock)
