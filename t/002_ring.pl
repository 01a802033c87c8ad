# The ring: exact counts when it wraps, and exact totals with no torn row
# when many clients probe at once while readers read.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use POSIX ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $okrow = q{raw_ascii ~ '^/s[0-9]{2}/n[0-9]{3} HTTP/1\.0\\\\x0d\\\\x0a\\\\x0d\\\\x0a$'
  AND kind = 'invalid_length' AND raw_offset = 4
  AND message = 'invalid length of startup packet'
  AND client_addr = '127.0.0.1' AND client_port > 0};

sub probe_bytes
{
	my ($sender, $n) = @_;
	return sprintf("GET /s%02d/n%03d HTTP/1.0\r\n\r\n", $sender, $n);
}

# Run $senders processes that each send $each probes; meanwhile one reader
# counts rows that fail $okrow.  Returns the reader's worst count.
sub flood
{
	my ($node, $senders, $each) = @_;
	my @pids;
	my $bad_file = $node->basedir . '/bad_rows';
	my $stop_file = $node->basedir . '/stop_reader';
	unlink $bad_file, $stop_file;

	my $reader = fork();
	die "fork: $!" unless defined $reader;
	if ($reader == 0)
	{
		my $worst = 0;
		my $rounds = 0;
		while (!-e $stop_file || $rounds < 3)
		{
			my $bad = $node->safe_psql('postgres',
				"SELECT count(*) FROM probe_detect_events WHERE NOT ($okrow)");
			$worst = $bad if $bad > $worst;
			$rounds++;
		}
		open(my $fh, '>', $bad_file) or die;
		print $fh "$worst $rounds\n";
		close $fh;
		POSIX::_exit(0);	# skip the test framework's END blocks
	}
	for my $s (1 .. $senders)
	{
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0)
		{
			send_probe($node, probe_bytes($s, $_)) for 1 .. $each;
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	waitpid($_, 0) for @pids;
	open(my $fh, '>', $stop_file) or die;
	close $fh;
	waitpid($reader, 0);
	open($fh, '<', $bad_file) or die "reader left no result";
	my ($worst, $rounds) = split ' ', <$fh>;
	close $fh;
	note "reader made $rounds passes over the ring during the flood";
	return $worst;
}

# 1. Wrap-around, one client at a time, at the smallest ring.
my $small = probe_node('small', conf => "probe_detect.max_events = 100\n");
send_probe($small, probe_bytes(0, $_)) for 1 .. 250;
is( $small->safe_psql(
		'postgres',
		'SELECT ring_size, events_total, events_overwritten FROM probe_detect_stats'),
	'100|250|150',
	'250 events into 100 slots: 150 overwritten');
is( $small->safe_psql(
		'postgres',
		"SELECT count(*), min(event_id), max(event_id),
		        bool_and(raw_ascii = format('/s00/n%s HTTP/1.0\\x0d\\x0a\\x0d\\x0a',
		                                    lpad(event_id::text, 3, '0')))
		   FROM probe_detect_events"),
	'100|151|250|t',
	'the newest 100 remain, in order, each with its own bytes');
is( $small->safe_psql(
		'postgres',
		"SELECT string_agg(event_id::text, ',' ORDER BY event_id) =
		        string_agg(event_id::text, ',') FROM probe_detect_events"),
	't', 'the view lists the oldest first');

# Reset empties the ring; ids go on from where they were.
$small->safe_psql('postgres', 'SELECT probe_detect_reset()');
is($small->safe_psql('postgres',
		'SELECT events_total, events_overwritten, (SELECT count(*) FROM probe_detect_events) FROM probe_detect_stats'),
	'0|0|0', 'reset empties the ring');
send_probe($small, probe_bytes(0, $_)) for 1 .. 3;
is($small->safe_psql('postgres',
		'SELECT count(*), min(event_id), max(event_id) FROM probe_detect_events'),
	'3|251|253', 'event ids are never reused after a reset');

# 2. Twenty clients at once, 200 probes each, into a small ring: it wraps
# under concurrency and the counts stay exact.
$small->safe_psql('postgres', 'SELECT probe_detect_reset()');
my $bad = flood($small, 20, 200);
is($bad, 0, 'no torn or malformed row seen while the ring wrapped');
is( $small->safe_psql(
		'postgres',
		'SELECT events_total, events_overwritten FROM probe_detect_stats'),
	'4000|3900',
	'4000 concurrent events into 100 slots: exactly 3900 overwritten');
my ($kept, $okkept, $lowest) = split /\|/, $small->safe_psql(
	'postgres',
	"SELECT count(*), count(*) FILTER (WHERE $okrow), min(event_id) FROM probe_detect_events");
is($okkept, $kept, 'every row kept is intact');
# A writer preempted for a whole lap of the ring can lose its slot to the
# next lap; that is the only loss, and only above capacity.
ok($kept >= 90 && $kept <= 100, "about the newest 100 remain ($kept)");
ok($lowest > 3900 + 253 - 1, 'only events of the last lap remain');
$small->stop;

# 3. The same flood into a ring big enough for all of it: nothing is lost.
my $big = probe_node('big', conf => "probe_detect.max_events = 5000\n");
$bad = flood($big, 20, 200);
is($bad, 0, 'no torn or malformed row seen during the flood');
is( $big->safe_psql(
		'postgres',
		'SELECT events_total, events_overwritten FROM probe_detect_stats'),
	'4000|0', 'exactly 4000 events, none overwritten');
is( $big->safe_psql(
		'postgres',
		"SELECT count(*), count(*) FILTER (WHERE $okrow), count(DISTINCT raw_ascii),
		        max(event_id) - min(event_id) + 1
		   FROM probe_detect_events"),
	'4000|4000|4000|4000',
	'4000 intact rows, every probe once, ids without a hole');
is( $big->safe_psql(
		'postgres',
		"SELECT count(*) FROM (SELECT substr(raw_ascii, 3, 2) AS s, count(*)
		   FROM probe_detect_events GROUP BY 1 HAVING count(*) = 200) x"),
	'20', 'each of the 20 senders has all its 200 probes');

ok(!$big->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$big->stop;
done_testing();
