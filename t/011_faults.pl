# Faults and limits: children killed with SIGKILL while recording (a crash
# restart follows, and the extension must come back clean), and the
# settings at their extremes: max_events 100 and 100000, capture_bytes 0
# and 8192.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use POSIX ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(usleep);

# --- SIGKILL during a flood -------------------------------------------------
my $node = probe_node('faults', conf => "restart_after_crash = on\n");
my $postmaster = postmaster_pid($node);

for my $round (1 .. 3)
{
	my $sender = fork();
	die unless defined $sender;
	if ($sender == 0)
	{
		for (1 .. 300)
		{
			eval { send_probe($node, "GET /kill HTTP/1.0\r\n\r\n", timeout => 2) };
		}
		POSIX::_exit(0);
	}
	# Stop a start-up child, make sure it is one still (not exiting, not
	# retitled), then kill it: a child that had already exited would be no
	# crash at all, and that race was lost every time on 13.
	my $killed = 0;
	for (1 .. 2000)
	{
		for my $c (startup_children($postmaster))
		{
			next unless kill('STOP', $c);
			if (grep { $_ == $c } startup_children($postmaster))
			{
				$killed += kill('KILL', $c);
				last;
			}
			kill('CONT', $c);
		}
		last if $killed;
		usleep(500);
	}
	waitpid($sender, 0);
	ok($killed, "round $round: a start-up child killed with SIGKILL");
	# the postmaster resets shared memory after a SIGKILL; whether or not it
	# has yet, the ring must be consistent (the previous round's SSH probe
	# may still be there)
	$node->poll_query_until('postgres', 'SELECT true') or die 'server did not come back';
	my ($total, $rows, $intact) = split /\|/, $node->safe_psql(
		'postgres',
		"SELECT (SELECT events_total FROM probe_detect_stats), count(*),
		        count(*) FILTER (WHERE kind = 'invalid_length' AND
		                               raw_ascii IN ('/kill HTTP/1.0\\x0d\\x0a\\x0d\\x0a',
		                                             '2.0-after\\x0d\\x0a'))
		   FROM probe_detect_events");
	is($rows, $total, "round $round: every claimed event is visible after the crash restart");
	is($intact, $rows, "round $round: and every row is whole");
	my ($p) = send_probe($node, "SSH-2.0-after\r\n");
	is($node->safe_psql('postgres', "SELECT count(*) FROM probe_detect_events WHERE client_port = $p AND protocol = 'ssh'"),
		'1', "round $round: recording again");
}
ok($node->log_contains('was terminated by signal 9'), 'the kills caused crash restarts');
ok(!$node->log_contains('PANIC|stuck spinlock'), 'no PANIC, no stuck spinlock');
$node->stop;

# --- settings at their extremes ----------------------------------------------
for my $case ([ 100, 0 ], [ 100000, 8192 ], [ 100, 8192 ], [ 100000, 0 ])
{
	my ($max, $cap) = @$case;
	my $n = probe_node("limits_${max}_$cap",
		conf => "probe_detect.max_events = $max\nprobe_detect.capture_bytes = $cap\n");
	my $big = "GET / HTTP/1.0\r\nX-Pad: " . ('x' x 9000) . "\r\n\r\n";
	send_probe($n, $big) for 1 .. 3;
	send_probe($n, pack('N', 0xa4) . "\xffSMB" . ("\0" x 160));
	# the receive buffer holds 8192 bytes: 4 went to the length word
	is( $n->safe_psql(
			'postgres',
			"SELECT ring_size, events_total, count(*),
			        coalesce(max(length(raw_bytes)) FILTER (WHERE kind = 'invalid_length'), 0),
			        string_agg(DISTINCT protocol, ',')
			   FROM probe_detect_stats, probe_detect_events GROUP BY 1, 2"),
		"$max|4|4|" . ($cap == 0 ? 0 : 8188) . '|' . ($cap == 0 ? 'smb1' : 'http,smb1'),
		"max_events $max, capture_bytes $cap: recorded, bytes capped, classified");
	my $shm = $n->safe_psql('postgres',
		"SELECT size FROM pg_shmem_allocations WHERE name = 'probe_detect'");
	note "max_events $max, capture_bytes $cap: $shm bytes of shared memory";
	cmp_ok($shm, '>=', $max * ($cap + 800), "shared memory scales with the settings ($shm bytes)");
	$n->stop;
}
done_testing();
