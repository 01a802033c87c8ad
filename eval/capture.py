#!/usr/bin/env python3
"""
capture.py: a loopback listener that records what clients send first.

It accepts every connection, sends nothing, and reads up to 4096 bytes:
until the client closes, 1.5 s after its first byte, or 0.5 s of quiet after
a byte, whichever comes first; a client that sends nothing is given 7 s
(more than nmap's 6 s wait for a banner, so that a silent port does not look
"tcpwrapped", as PostgreSQL's, which waits for a packet, does not); what each
connection sent is kept in the order the connections were accepted.  As a
program, it runs one command against itself and prints one line per
connection: index, length and hex.  eval/run.py uses the Listener class.
"""
import socket
import subprocess
import sys
import threading
import time

MAX_BYTES = 4096
READ_SECONDS = 1.5       # after the first byte
QUIET_SECONDS = 0.5      # after the latest byte
SILENT_SECONDS = 7.0     # when nothing comes
MAX_CONNS = 40          # per row: later connections are accepted, not kept


class Listener:
    def __init__(self, port, host='127.0.0.1'):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.lock = threading.Lock()
        self.conns = []
        self.threads = []
        self.accepted = 0
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                slot = len(self.conns) if len(self.conns) < MAX_CONNS else None
                if slot is not None:
                    self.conns.append(b'')
                t = threading.Thread(target=self._read, args=(c, slot),
                                     daemon=True)
                self.threads.append(t)
            t.start()

    def _read(self, c, slot):
        data = b''
        deadline = time.monotonic() + SILENT_SECONDS
        first = None
        try:
            while len(data) < MAX_BYTES:
                now = time.monotonic()
                if data:
                    deadline = min(first + READ_SECONDS, now + QUIET_SECONDS)
                left = deadline - now
                if left <= 0:
                    break
                c.settimeout(left)
                try:
                    b = c.recv(MAX_BYTES - len(data))
                except (socket.timeout, OSError):
                    break
                if not b:
                    break
                if first is None:
                    first = time.monotonic()
                data += b
        finally:
            c.close()
        if slot is not None:
            with self.lock:
                self.conns[slot] = data

    def begin(self):
        with self.lock:
            self.conns = []
            self.threads = []
            self.accepted = 0

    def end(self):
        """Wait for the open connections; their bytes, and how many came."""
        deadline = time.monotonic() + SILENT_SECONDS + 1
        while True:
            with self.lock:
                alive = [t for t in self.threads if t.is_alive()]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        with self.lock:
            return list(self.conns), self.accepted


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: capture.py PORT COMMAND...')
    lst = Listener(int(sys.argv[1]))
    lst.begin()
    try:
        subprocess.run(sys.argv[2:], timeout=30)
    except subprocess.TimeoutExpired:
        pass
    conns, _ = lst.end()
    for i, b in enumerate(conns):
        print('%d\t%d\t%s' % (i, len(b), b.hex()))


if __name__ == '__main__':
    main()
