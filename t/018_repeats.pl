# Floods and health checks cannot wipe the record: repeats of one pattern
# from one source are folded into one event that counts them
# (probe_detect.repeat_window), and pg_isready's checks are counted, not
# stored.  A ring of 100 slots keeps five sources that probed once each
# while a health check, a password guesser (ours, and hydra where it is
# installed), a directory brute-forcer and a garbage flood hit it
# thousands of times.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(usleep);

my $node = probe_node('repeats',
	conf => "probe_detect.max_events = 100\n"
	  . "probe_detect.repeat_window = '1h'\n"
	  . "probe_detect.server_log = annotated\n"
	  . "max_connections = 20\n");
set_hba($node, 'host all all 127.0.0.0/8 password');
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'");
my $port = $node->port;

# Five sources that probe once each, first.
my $smb = "\0\0\0\xa4\xffSMBr" . ("\0" x 159);
send_probe($node, $smb, from => '127.0.0.2');
send_probe($node, "GET / HTTP/1.0\r\n\r\n", from => '127.0.0.3');
send_probe($node, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", from => '127.0.0.4');
send_probe($node, "SSH-2.0-OpenSSH_9.2\r\n", from => '127.0.0.5');
login_from($node, '127.0.0.6', 'alice', 'wrong');
my $first_five = q1($node, 'SELECT count(*) FROM probe_detect_events');
is($first_five, 5, 'five sources, five events');

# A health check: pg_isready, 600 times (a check a second for ten minutes,
# as fast as it goes).
my $checks = 600;
{
	# pg_isready names itself unless PGAPPNAME (set by the harness) says
	local $ENV{PGAPPNAME};
	delete $ENV{PGAPPNAME};
	IPC::Run::run([ 'pg_isready', '-q', '-h', '127.0.0.1', '-p', $port ]) for 1 .. $checks;
}

# A password guesser: 1,000 wrong passwords for alice from one address.
my $guesses = 1000;
login_from($node, '127.0.0.8', 'alice', "guess$_") for 1 .. $guesses;

# A directory brute-forcer: 1,000 paths; and 500 probes of random bytes.
send_probe($node, "GET /dir$_ HTTP/1.1\r\nHost: x\r\n\r\n", from => '127.0.0.10')
  for 1 .. 1000;
srand(18);
send_probe($node, join('', map { chr(int(rand(256))) } 1 .. 40), from => '127.0.0.11')
  for 1 .. 500;

# Every source is still there, with its counts.
my $sources = q1($node, 'SELECT client_addr, events, auth_failures, protocols FROM probe_detect_sources');
note $sources;
my %src = map { my @f = split /\|/; ($f[0] => [ @f[ 1 .. $#f ] ]) } split /\n/, $sources;
for my $a (qw(127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6))
{
	ok(exists $src{$a} && $src{$a}[0] == 1, "$a: still recorded after the floods");
}
is($src{'127.0.0.2'}[2], '{smb1}', '127.0.0.2: smb1 kept');
ok(!exists $src{'127.0.0.1'}, 'the health check left no event');
is($src{'127.0.0.8'}[0] . '/' . $src{'127.0.0.8'}[1], "$guesses/$guesses",
	'the guesser: every attempt counted as a failed login');
is($src{'127.0.0.10'}[0], 1000, 'the brute-forcer: 1,000 occurrences');
is($src{'127.0.0.11'}[0], 500, 'the garbage flood: 500 occurrences');
# the counters by protocol count occurrences, folded or not, classified when
# read: one request from .3 and the brute-forcer's 1,000
is(q1($node, q{SELECT value FROM probe_detect_counters
	WHERE counter = 'events_by_protocol' AND label = 'http'}), 1001,
	'events_by_protocol counts every HTTP occurrence, folded ones too');
is(q1($node, q{SELECT value FROM probe_detect_counters
	WHERE counter = 'events_by_protocol' AND label = 'smb1'}), 1, 'and one SMB probe');

# hydra, where installed: 300 passwords, four tasks at once.  From
# 127.0.0.1 too (libpq cannot choose a source address): after the health
# check's verdict.
my $hydra_tries = 0;
SKIP:
{
	skip 'hydra is not installed', 2 unless have('hydra');
	my $dir = PostgreSQL::Test::Utils::tempdir();
	open(my $fh, '>', "$dir/words") or die;
	print $fh "word$_\n" for 1 .. 300;
	close $fh;
	# hydra's postgres module gives libpq no port: PGPORT does
	local $ENV{PGPORT} = $port;
	IPC::Run::run([ 'hydra', '-l', 'alice', '-P', "$dir/words", '-s', $port,
		'-t', '4', '-I', '127.0.0.1', 'postgres' ], '>&', \my $out);
	note $out;
	($hydra_tries) = $out =~ /(\d+) login tries/;
	$hydra_tries //= 0;
	ok($hydra_tries >= 300, "hydra tried $hydra_tries logins");
	my ($events, $failures) = split /\|/, q1($node,
		q{SELECT count(*), sum(occurrences) FROM probe_detect_events
		   WHERE client_addr = '127.0.0.1' AND kind = 'auth_failed'});
	ok($failures >= 300 && $events <= 4,
		"hydra: $failures failed logins in $events events");
}

my ($total, $overwritten) = split /\|/,
  q1($node, 'SELECT events_total, events_overwritten FROM probe_detect_stats');
is($overwritten, 0, "nothing overwritten: $total events hold every occurrence");
is(q1($node, q{SELECT value FROM probe_detect_counters WHERE counter = 'health_checks'}),
	$checks, 'health checks counted');
is(q1($node, q{SELECT value FROM probe_detect_counters WHERE counter = 'repeats'}),
	q1($node, 'SELECT sum(occurrences) - count(*) FROM probe_detect_events'),
	'the repeats counter agrees with the events');
is(q1($node, q{SELECT occurrences || ' ' || (last_seen > seen_at) || ' ' || raw_ascii
	FROM probe_detect_events WHERE client_addr = '127.0.0.10'}),
	'1000 true /dir1 HTTP/1.1\x0d\x0aHost: x\x0d\x0a\x0d\x0a',
	'one event: the first occurrence\'s bytes, the count, first and last time');

# The annotated log has every occurrence, with its own bytes.
my $log = slurp_file($node->logfile);
like($log, qr/probe from 127\.0\.0\.10:\d+: invalid_length "\/dir1000 HTTP/,
	'the log line of the last request has its own bytes');

# Another episode after the window is an event of its own.
$node->safe_psql('postgres', q{ALTER SYSTEM SET probe_detect.repeat_window = '1s'});
$node->reload;
$node->poll_query_until('postgres', q{SELECT current_setting('probe_detect.repeat_window') = '1s'});
send_probe($node, "GET /late HTTP/1.0\r\n\r\n", from => '127.0.0.12');
send_probe($node, "GET /late HTTP/1.0\r\n\r\n", from => '127.0.0.12');
sleep 2;
send_probe($node, "GET /late HTTP/1.0\r\n\r\n", from => '127.0.0.12');
is(q1($node, q{SELECT string_agg(occurrences::text, ',' ORDER BY event_id)
	FROM probe_detect_events WHERE client_addr = '127.0.0.12'}),
	'2,1', 'after the window: a new event');

# Without folding, the same brute-forcer wipes the five sources.
$node->safe_psql('postgres', q{ALTER SYSTEM SET probe_detect.repeat_window = 0});
$node->reload;
$node->poll_query_until('postgres', q{SELECT current_setting('probe_detect.repeat_window') = '0'});
send_probe($node, "GET /dir$_ HTTP/1.1\r\n\r\n", from => '127.0.0.13') for 1 .. 100;
is(q1($node, q{SELECT count(*) FROM probe_detect_sources
	WHERE client_addr <<= '127.0.0.0/29'}), 0,
	'repeat_window = 0: 100 requests overwrite the five sources (the contrast)');

done_testing();
