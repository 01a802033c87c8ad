# Children killed with SIGTERM in the middle of a probe flood: PostgreSQL
# ends them with _exit(1) from the signal handler, at any instruction.  The
# ring must stay consistent (no claimed id left unpublished), the server
# must keep accepting connections and recording, and nothing may crash.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use POSIX ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = probe_node('sigterm', conf => "probe_detect.max_events = 20000\n");
my $postmaster = postmaster_pid($node);

my $http = "GET /flood HTTP/1.0\r\n\r\n";
my $stop = $node->basedir . '/stop';
my $killfile = $node->basedir . '/kills';
my $rounds = 3;
my $total_kills = 0;

for my $round (1 .. $rounds)
{
	unlink $stop, $killfile;
	my $killer = fork();
	die "fork: $!" unless defined $killer;
	if ($killer == 0)
	{
		my $kills = 0;
		while (!-e $stop)
		{
			$kills += kill('TERM', startup_children($postmaster));
			usleep(200);
		}
		open(my $fh, '>', $killfile) or die;
		print $fh "$kills\n";
		close $fh;
		POSIX::_exit(0);
	}
	my @senders;
	for my $s (1 .. 8)
	{
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0)
		{
			# half the senders dribble their bytes so children linger
			for my $i (1 .. 150)
			{
				if ($s % 2)
				{
					send_probe($node, $http, timeout => 5);
				}
				else
				{
					my $sock = open_probe($node, 'tcp4');
					syswrite($sock, 'GE');
					usleep(1000);
					syswrite($sock, substr($http, 2));
					sysread($sock, my $b, 1);
					close $sock;
				}
			}
			POSIX::_exit(0);
		}
		push @senders, $pid;
	}
	waitpid($_, 0) for @senders;
	open(my $fh, '>', $stop) or die;
	close $fh;
	waitpid($killer, 0);
	open($fh, '<', $killfile) or die;
	my $kills = <$fh>;
	chomp $kills;
	close $fh;
	note "round $round: $kills children killed";
	$total_kills += $kills;

	# no claimed event id is left unpublished, and every row is whole
	is( $node->safe_psql(
			'postgres',
			"SELECT s.events_total = count(e.*)
			        AND count(e.*) = count(*) FILTER (WHERE e.raw_ascii = '/flood HTTP/1.0\\x0d\\x0a\\x0d\\x0a'
			                                          AND e.kind = 'invalid_length')
			   FROM probe_detect_stats s LEFT JOIN probe_detect_events e ON true
			  GROUP BY s.events_total"),
		't', "round $round: every claimed event is published and intact");
}
ok($total_kills > 50, "children were killed mid-flood ($total_kills)");
my $recorded = $node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats');
note "events recorded across the rounds: $recorded of " . ($rounds * 8 * 150);
ok($recorded > 0 && $recorded < $rounds * 8 * 150,
	'some probes were recorded, some children died first');

# The server still works and still records.
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server accepts connections');
my ($port) = send_probe($node, "SSH-2.0-after-the-flood\r\n");
is($node->safe_psql('postgres',
		"SELECT raw_ascii FROM probe_detect_events WHERE client_port = $port
		  ORDER BY event_id DESC LIMIT 1"),
	'2.0-after-the-flood\x0d\x0a', 'and records new probes');
is($node->safe_psql('postgres',
		'SELECT count(*) = (SELECT events_total FROM probe_detect_stats) FROM probe_detect_events'),
	't', 'the ring is consistent afterwards');

ok( !$node->log_contains(
		'terminated by signal|exited with exit code [2-9]|PANIC|all server processes terminated|reinitializing|stuck spinlock'),
	'no crash and no restart in the server log');
$node->stop;
ok(!$node->log_contains('PANIC|terminated by signal'), 'clean shutdown');
done_testing();
