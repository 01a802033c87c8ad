# Events survive a clean restart (probe_detect.save), and only that: not a
# crash, not save = off; a damaged, incompatible, unwritable or full file costs
# a LOG line, never a failed start or shutdown.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('restart',
	conf => "probe_detect.max_events = 100\nrestart_after_crash = on\n");
my $file = $node->data_dir . '/pg_stat/probe_detect.stat';
my $cols = "event_id, seen_at, pid, client_addr, client_port, kind, protocol_version,
            raw_bytes, raw_offset, raw_ascii, protocol, tool, detail, user_name,
            database_name, message";
sub snapshot
{
	return $node->safe_psql('postgres',
		"SELECT $cols FROM probe_detect_events ORDER BY event_id")
	  . "\n" . $node->safe_psql('postgres', 'SELECT * FROM probe_detect_stats');
}

# 120 probes into 100 slots, then a clean restart.
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 118;
send_probe($node, pack('N', 0xa4) . "\xffSMBr" . ("\0" x 159));
send_probe($node, "SSH-2.0-OpenSSH_9.2p1\r\n");
my $before = snapshot();
like($before, qr/\n100\|120\|20\|/, 'before: 120 events, 20 overwritten');
$node->restart;
is(snapshot(), $before, 'after a clean restart: the same events, ids, times and counters');
ok($node->log_contains('probe_detect restored 100 events'), 'the restore is logged');
ok(!-e $file, 'the file is removed once loaded');
my ($p) = send_probe($node, "GET /after HTTP/1.0\r\n\r\n");
is($node->safe_psql('postgres', "SELECT event_id, raw_ascii FROM probe_detect_events WHERE client_port = $p ORDER BY event_id DESC LIMIT 1"),
	'121|/after HTTP/1.0\x0d\x0a\x0d\x0a', 'new events continue the ids');

# A crash saves nothing: the ring starts empty after the crash restart.
my $bpid = $node->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'");
kill 'KILL', $bpid;
$node->poll_query_until('postgres', 'SELECT events_total = 0 FROM probe_detect_stats')
  or diag 'ring not reset after the crash';
is($node->safe_psql('postgres', 'SELECT events_total, (SELECT count(*) FROM probe_detect_events) FROM probe_detect_stats'),
	'0|0', 'after a crash restart: an empty ring, nothing stale');
($p) = send_probe($node, "GET /crash HTTP/1.0\r\n\r\n");
is($node->safe_psql('postgres', "SELECT count(*) FROM probe_detect_events WHERE client_port = $p"),
	'1', 'and it records again');

# save = off: nothing kept.
$node->append_conf('postgresql.conf', 'probe_detect.save = off');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('probe_detect.save') = 'off'");
$node->restart;
is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'), '0',
	'save = off: nothing kept');
$node->append_conf('postgresql.conf', 'probe_detect.save = on');
$node->restart;

# A damaged file: ignored with a LOG line.
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 5;
$node->stop;
ok(-s $file, 'saved at shutdown');
my $data = slurp_file($file);
open(my $fh, '>', $file) or die;
print $fh substr($data, 0, length($data) - 100);    # cut short
close $fh;
$node->start;
ok($node->log_contains('ignoring the rest of file "pg_stat/probe_detect.stat": it is damaged'),
	'a file cut short: LOG line');
is($node->safe_psql('postgres', 'SELECT count(*) FROM probe_detect_events'), '4',
	'the whole events before the cut are restored');

# Garbage and another version's file: ignored.
for my $bad ('garbage' x 10, pack('LLL', 0x50444554, 1, 1400) . ("\0" x 100))
{
	$node->stop;
	open($fh, '>', $file) or die;
	print $fh $bad;
	close $fh;
	my $off = -s $node->logfile;
	$node->start;
	like(substr(slurp_file($node->logfile), $off),
		qr/ignoring file "pg_stat\/probe_detect\.stat": not a probe_detect file of this version/,
		'a foreign file: LOG line, clean start');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM probe_detect_events'), '0',
		'and nothing restored');
}

# An unwritable pg_stat/: a LOG line, a clean shutdown, a clean next start.
send_probe($node, "GET /x HTTP/1.0\r\n\r\n");
chmod 0500, $node->data_dir . '/pg_stat';
my $off = -s $node->logfile;
$node->stop;
chmod 0700, $node->data_dir . '/pg_stat';
my $log = substr(slurp_file($node->logfile), $off);
like($log, qr/could not write file "pg_stat\/probe_detect\.stat\.tmp"/, 'unwritable: LOG line');
like($log, qr/database system is shut down/, 'unwritable: clean shutdown');
$node->start;
is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'), '0',
	'unwritable: clean next start with an empty ring');

# A full disk: the temporary file is a link to /dev/full, where every write
# fails with ENOSPC.  A LOG line naming the cause, a clean shutdown, the
# partial file removed, a clean next start.
SKIP:
{
	skip 'no /dev/full', 5 unless -c '/dev/full';
	send_probe($node, "GET /y HTTP/1.0\r\n\r\n");
	symlink('/dev/full', "$file.tmp") or die "symlink: $!";
	$off = -s $node->logfile;
	$node->stop;
	$log = substr(slurp_file($node->logfile), $off);
	like($log, qr/could not write file "pg_stat\/probe_detect\.stat\.tmp": No space left on device/,
		'full: LOG line with the cause');
	like($log, qr/database system is shut down/, 'full: clean shutdown');
	ok(!-l "$file.tmp" && !-e $file, 'full: no partial or stale file left');
	$node->start;
	is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'), '0',
		'full: clean next start with an empty ring');
	send_probe($node, "GET /z HTTP/1.0\r\n\r\n");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM probe_detect_events'), '1',
		'full: recording again');
}

ok(!$node->log_contains('PANIC'), 'no PANIC');
$node->stop;
done_testing();
