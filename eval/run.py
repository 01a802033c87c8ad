#!/usr/bin/env python3
"""
run.py: the evaluation's harness, one mode per call.

  capture  run each program of tools.tsv against capture.py's listener and
           write what each connection sent to corpus.tsv (hex)
  live     run each program against the preloaded server: reset the ring,
           run, wait for the server's start-up children to finish, read
           probe_detect_events
  replay   send each captured connection's bytes to the server in one write
           and read the events the same way

live and replay append one line per event (or one "none" line for a row
that left none) to the results file; score.pl reads it.  Every program runs
in its own session with a timeout and is killed with its children after it.
Traffic stays on 127.0.0.1.
"""
import argparse
import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capture import Listener  # noqa: E402

HOST = '127.0.0.1'
EVAL = os.path.dirname(os.path.abspath(__file__))


def read_tools(path, only=None):
    rows = []
    header = None
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            fields = line.rstrip('\n').split('\t')
            if header is None:
                header = fields
                continue
            r = dict(zip(header, fields))
            if only and r['name'] not in only:
                continue
            rows.append(r)
    return rows


def read_corpus(path):
    conns = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') or line.startswith('name\t'):
                continue
            name, idx, n, hx = line.rstrip('\n').split('\t')[:4]
            conns.setdefault(name, []).append(bytes.fromhex(hx))
    return conns


def run_program(row, port, work, tag):
    env = dict(os.environ)
    env.update(HOST=HOST, PORT=str(port), W=work, EVAL=EVAL,
               PGUSER='alice', PGPASSWORD='alicepw', PGDATABASE='evaldb',
               HOME=os.path.join(work, 'home'), DISPLAY=':99',
               LC_ALL='C.UTF-8', TERM='dumb',
               # Debian's interpreters, with their packaged modules, first
               PATH='/usr/sbin:/usr/bin:/sbin:/bin:' + os.environ.get('PATH', ''))
    os.makedirs(os.path.join(work, 'logs'), exist_ok=True)
    log = open(os.path.join(work, 'logs', '%s.%s.log' % (row['name'], tag)), 'w')
    t0 = time.monotonic()
    p = subprocess.Popen(['bash', '-c', row['command']], env=env, cwd=work,
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    timed_out = False
    try:
        p.wait(timeout=float(row['timeout']))
    except subprocess.TimeoutExpired:
        timed_out = True
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    log.close()
    return time.monotonic() - t0, timed_out, p.returncode


def do_capture(args, rows):
    """Capture in parallel: one listener per worker, ports port..port+N-1."""
    out = {}
    ports = [args.port + i for i in range(args.jobs)]
    listeners = {p: Listener(p) for p in ports}
    free = list(ports)

    def one(row):
        port = free.pop()
        try:
            lst = listeners[port]
            lst.begin()
            secs, to, rc = run_program(row, port, args.work, 'capture')
            conns, accepted = lst.end()
        finally:
            free.append(port)
        print('capture %-32s %5.1fs conns=%d bytes=%s%s' % (
            row['name'], secs, accepted, ','.join(str(len(c)) for c in conns[:6]),
            ' (timeout)' if to else ''), flush=True)
        return row['name'], port, conns, accepted

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for name, port, conns, accepted in ex.map(one, rows):
            out[name] = (port, conns, accepted)
    # with --only, the other rows' lines are kept as they were
    kept = {}
    if os.path.exists(args.corpus):
        with open(args.corpus) as f:
            for line in f:
                if line.startswith('#') or line.startswith('name\t'):
                    continue
                name = line.split('\t', 1)[0]
                if name not in out:
                    kept.setdefault(name, []).append(line)
    with open(args.corpus, 'w') as f:
        f.write('# First bytes each program of eval/tools.tsv sent on each connection to eval/capture.py\'s silent\n'
                '# listener on 127.0.0.1 (port in the header row of each program: bytes may embed it), Debian 12.\n'
                '# At most %d connections per program and 4096 bytes per connection, read for up to 1.5 s.\n'
                '# Made by eval/run.py capture; "accepted" counts all connections, kept or not.\n' % 40)
        f.write('name\tconn\tlength\thex\tport\taccepted\n')
        for row in read_tools(args.tools):
            if row['name'] not in out:
                f.writelines(kept.get(row['name'], []))
                continue
            port, conns, accepted = out[row['name']]
            if not conns:
                f.write('%s\t-\t0\t\t%d\t%d\n' % (row['name'], port, accepted))
            for i, c in enumerate(conns):
                f.write('%s\t%d\t%d\t%s\t%d\t%d\n' % (row['name'], i, len(c), c.hex(), port, accepted))


class Server:
    def __init__(self, args):
        self.args = args
        self.psql = ['psql', '-X', '-q', '-A', '-t', '-F', '\t', '-h',
                     args.socket_dir, '-p', str(args.port), '-U', 'postgres',
                     '-d', 'postgres', '-v', 'ON_ERROR_STOP=1']
        with open(os.path.join(args.data, 'postmaster.pid')) as f:
            self.pm = int(f.readline())
        self.settle()
        self.baseline = self.children()

    def sql(self, q):
        return subprocess.run(self.psql + ['-c', q], check=True,
                              capture_output=True, text=True).stdout

    def children(self):
        n = 0
        for d in os.listdir('/proc'):
            if not d.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % d) as f:
                    st = f.read()
            except OSError:
                continue
            if int(st[st.rindex(')') + 2:].split()[1]) == self.pm:
                n += 1
        return n

    def settle(self, limit=5.0):
        """Wait until the start-up children of the row have finished."""
        time.sleep(0.2)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.children() <= getattr(self, 'baseline', 10 ** 6):
                return True
            time.sleep(0.1)
        return False

    def reset(self):
        self.sql('SELECT probe_detect_reset()')

    def events(self):
        out = self.sql(
            "SELECT kind, coalesce(protocol, ''), coalesce(tool, ''), "
            "coalesce(replace(detail, E'\\t', ' '), ''), coalesce(raw_offset, -1), "
            "coalesce(length(raw_bytes), 0) FROM probe_detect_events ORDER BY event_id")
        return [l.split('\t') for l in out.splitlines() if l]


def replay_bytes(port, data):
    s = socket.create_connection((HOST, port), timeout=2)
    try:
        s.sendall(data)
        s.settimeout(0.5)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                if not s.recv(4096):
                    break
            except (socket.timeout, OSError):
                break
    finally:
        s.close()


def do_server(args, rows, mode):
    srv = Server(args)
    corpus = read_corpus(args.corpus) if mode == 'replay' else {}
    with open(args.out, 'a') as out:
        for row in rows:
            srv.reset()
            note = ''
            if mode == 'live':
                secs, to, rc = run_program(row, args.port, args.work, 'live')
                note = 'rc=%s%s' % (rc, ' timeout' if to else '')
            else:
                t0 = time.monotonic()
                sent = 0
                for data in corpus.get(row['name'], []):
                    if data:
                        replay_bytes(args.port, data)
                        sent += 1
                secs = time.monotonic() - t0
                note = 'replayed=%d' % sent
            if not srv.settle():
                note += ' unsettled'
            ev = srv.events()
            for e in ev:
                out.write('\t'.join([row['name'], mode] + e) + '\n')
            if not ev:
                out.write('\t'.join([row['name'], mode, 'none', '', '', '', '', '']) + '\n')
            out.flush()
            print('%-6s %-32s %5.1fs events=%d %s %s' % (
                mode, row['name'], secs, len(ev),
                ' '.join(sorted(set('%s/%s' % (e[1] or '-', e[2] or '-') for e in ev)))[:80],
                note), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['capture', 'live', 'replay'])
    ap.add_argument('--tools', default=os.path.join(EVAL, 'tools.tsv'))
    ap.add_argument('--corpus', default=os.path.join(EVAL, 'corpus.tsv'))
    ap.add_argument('--out', default=os.path.join(EVAL, 'results.tsv'))
    ap.add_argument('--work', required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--jobs', type=int, default=3)
    ap.add_argument('--data')
    ap.add_argument('--socket-dir')
    ap.add_argument('--only', help='comma-separated row names')
    args = ap.parse_args()
    only = set(args.only.split(',')) if args.only else None
    rows = read_tools(args.tools, only)
    os.makedirs(os.path.join(args.work, 'home'), exist_ok=True)
    if args.mode == 'capture':
        do_capture(args, rows)
    else:
        do_server(args, rows, args.mode)


if __name__ == '__main__':
    main()
