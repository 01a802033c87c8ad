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

# Damaged files: ignored whole, with a LOG line (a CRC-32C covers the file).
sub crc32c
{
	my $crc = 0xffffffff;
	for my $b (unpack('C*', $_[0]))
	{
		$crc ^= $b;
		$crc = ($crc & 1) ? (($crc >> 1) ^ 0x82f63b78) : ($crc >> 1) for 1 .. 8;
	}
	return $crc ^ 0xffffffff;
}

# save some events, then hand the file to $mangle before the next start
sub restart_with
{
	my ($mangle, $expect, $label) = @_;
	send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 5;
	$node->stop;
	my $data = slurp_file($file);
	open(my $fh, '>', $file) or die;
	binmode $fh;
	print $fh $mangle->($data);
	close $fh;
	my $off = -s $node->logfile;
	$node->start;
	like(substr(slurp_file($node->logfile), $off),
		qr/ignoring file "pg_stat\/probe_detect\.stat": $expect/, "$label: LOG line");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM probe_detect_events'), '0',
		"$label: nothing restored, a clean start");
}

# the file as written: header (64 bytes) ... trailer (count, CRC, pad)
sub with_crc
{
	my ($d) = @_;
	my $body = substr($d, 0, length($d) - 16);
	return $body . substr($d, length($d) - 16, 8) . pack('L<', crc32c($body)) . "\0" x 4;
}
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 5;
$node->stop;
{
	my $data = slurp_file($file);
	is(sprintf('%08x', unpack('L<', substr($data, length($data) - 8, 4))),
		sprintf('%08x', crc32c(substr($data, 0, length($data) - 16))),
		'the trailer holds the CRC-32C of the rest');
}
$node->start;
restart_with(sub { substr($_[0], 0, length($_[0]) - 100) },
	'it is damaged \(its checksum does not match\)|its header is implausible', 'a file cut short');
restart_with(
	sub {
		my $d = $_[0];
		substr($d, 200, 1) = chr(ord(substr($d, 200, 1)) ^ 0x40);
		return $d;
	},
	'it is damaged \(its checksum does not match\)', 'one byte flipped');
restart_with(sub { my $d = $_[0]; substr($d, 16, 8) = pack('Q<', ~0); with_crc($d) },
	'its header is implausible', 'next_id 2^64-1 with a matching CRC');
restart_with(sub { my $d = $_[0]; substr($d, 24, 8) = pack('Q<', 1 << 40); with_crc($d) },
	'its header is implausible', 'reset_id after next_id with a matching CRC');

# Repeats survive a restart (format 4): one source's same pattern is one
# event that counts its occurrences.
$node->safe_psql('postgres', q{ALTER SYSTEM SET probe_detect.repeat_window = '1h'});
$node->reload;
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 3;
my $occ_sql = q{SELECT count(*) || ' ' || sum(occurrences) || ' ' || (max(last_seen) >= max(seen_at))
	FROM probe_detect_events};
is($node->safe_psql('postgres', $occ_sql), '1 3 true', 'three requests: one event of three occurrences');
$node->restart;
is($node->safe_psql('postgres', $occ_sql), '1 3 true', 'occurrences survive a restart');

# A file as 1.0's module wrote it (format 2, no counters, events without
# repeats), as 1.1's did (format 3) and as 1.2's did (format 4, with the
# classifier's verdict of the day in each event) are read by this version:
# the events come back, once each, and are classified again when read.  The
# header is 64 bytes (event_header at 12; ntallies, nrefusals, ncounters at
# 52, 56, 60), then 280-byte tallies, 48-byte refusals and 56-byte counters,
# then the events: a fixed part and their bytes.  Format 5's fixed part is
# 972 bytes (raw_len at 36; names and message at 62-446, last_seen and
# repeats at 960-972); format 4's was 820 (raw_len at 40; names and message
# at 64-448, then protocol, tool and detail, then last_seen and repeats at
# 808-820); formats 2 and 3 end it at 808.
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 3;
my $kept = $node->safe_psql('postgres', 'SELECT count(*) FROM probe_detect_events');
my $kept_occ = $node->safe_psql('postgres', 'SELECT sum(occurrences) FROM probe_detect_events');
ok($node->safe_psql('postgres', 'SELECT sum(value) FROM probe_detect_counters') > 0,
	'counters before an older file');
$node->stop;
my $format5 = slurp_file($file);

# the file of format 5 turned into one of format $format, every event's
# stored verdict a stale one: protocol "stale", tool "stale tool"
sub older_file
{
	my ($d, $format) = @_;
	my ($ntallies, $nrefusals, $ncounters) = unpack('L<L<L<', substr($d, 52, 12));
	my $events = 64 + 280 * $ntallies + 48 * $nrefusals + 56 * $ncounters;
	my $out = substr($d, 0, $events);
	my $pos = $events;
	while ($pos < length($d) - 16)
	{
		my $raw_len = unpack('S<', substr($d, $pos + 36, 2));
		my $ev = substr($d, $pos, 16) . ("\0" x 8)
		  . substr($d, $pos + 20, 24)    # pid .. ssl
		  . substr($d, $pos + 44, 16)    # addr
		  . substr($d, $pos + 62, 384)    # names, message
		  . pack('a24a80a256', 'stale', 'stale tool', '');
		$ev .= substr($d, $pos + 960, 12) if $format == 4;
		$out .= $ev . substr($d, $pos + 972, $raw_len);
		$pos += 972 + $raw_len;
	}
	$out .= substr($d, length($d) - 16);
	substr($out, 4, 4) = pack('L<', $format);
	substr($out, 12, 4) = pack('L<', $format == 4 ? 820 : 808);
	if ($format == 2)
	{
		substr($out, 64 + 280 * $ntallies + 48 * $nrefusals, 56 * $ncounters) = '';
		substr($out, 60, 4) = pack('L<', 0);
	}
	return with_crc($out);
}

{
	my $d = $format5;
	my ($ntallies, $nrefusals, $ncounters) = unpack('L<L<L<', substr($d, 52, 12));
	ok($ncounters > 0, 'format 5 saves the counters');
	is(unpack('L<', substr($d, 12, 4)), 972, 'format 5: events of 972 bytes before their payload');
}
for my $format (4, 3, 2)
{
	open(my $fh, '>', $file) or die;
	binmode $fh;
	print $fh older_file($format5, $format);
	close $fh;
	my $at = -s $node->logfile;
	$node->start;
	like(substr(slurp_file($node->logfile), $at),
		qr/probe_detect restored $kept events, \d+ network tallies, \d+ refusals and \d+ counters/,
		"a format-$format file: restored");
	is($node->safe_psql('postgres', 'SELECT count(*), sum(occurrences) FROM probe_detect_events'),
		"$kept|" . ($format == 4 ? $kept_occ : $kept), "a format-$format file: every event back, once each");
	is($node->safe_psql('postgres',
			q{SELECT string_agg(DISTINCT coalesce(protocol, '-') || '/' || coalesce(tool, '-'), ',') FROM probe_detect_events}),
		'http/-', "a format-$format file: its stale verdicts replaced by today's classifier");
	$node->stop;
}
$node->start;
is($node->safe_psql('postgres', 'SELECT sum(value) FROM probe_detect_counters WHERE counter <> \'ring_writes\' AND counter <> \'ring_overwrites\''),
	'0', 'a format-2 file: counters from zero');

# Garbage and another version's file: ignored.
for my $bad ([ 'garbage' x 10, 'it is cut short or cannot be read' ],
	[ pack('LLL', 0x50444554, 1, 1400) . ("\0" x 100), 'not a probe_detect file of this version' ])
{
	$node->stop;
	open(my $fh, '>', $file) or die;
	print $fh $bad->[0];
	close $fh;
	my $off = -s $node->logfile;
	$node->start;
	like(substr(slurp_file($node->logfile), $off),
		qr/ignoring file "pg_stat\/probe_detect\.stat": $bad->[1]/,
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
