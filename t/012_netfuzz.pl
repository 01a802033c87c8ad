# A network fuzzer against a preloaded server: thousands of connections
# with random lengths and bytes (0 to 20,000), valid-looking length words
# with random bodies, partial packets, slow trickles within
# authentication_timeout, and connect-and-close, while real clients keep
# logging in.  The server must never restart, the real clients must all get
# in, and every recorded row must be well formed.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IO::Select;
use POSIX ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = probe_node('netfuzz',
	conf => "probe_detect.max_events = 20000\nauthentication_timeout = 2s\nmax_connections = 60\n");
my $port = $node->port;
my $seconds = $ENV{PD_NETFUZZ_SECONDS} // 40;
my $dir = $node->basedir;

# One fuzzing process: its own seed, its own mix.
sub fuzzer
{
	my ($id) = @_;
	srand(1000 + $id);
	my $deadline = time + $seconds;
	my %n;
	while (time < $deadline)
	{
		my $mode = int(rand(6));
		my $s = eval { open_probe($node, 'tcp4') } or next;
		$s->autoflush(1);
		if ($mode == 0)
		{
			# random bytes, random length
			my $len = int(rand(20001));
			syswrite($s, join('', map { chr(int(rand(256))) } 1 .. $len)) if $len;
		}
		elsif ($mode == 1)
		{
			# a valid-looking length word, then a random body of random size
			my $len = 8 + int(rand(10000));
			my $body = join('', map { chr(int(rand(256))) } 1 .. int(rand($len + 100)));
			syswrite($s, pack('N', $len) . $body);
		}
		elsif ($mode == 2)
		{
			# a v3 start-up packet with random parameters, maybe truncated
			my $params = join('', map { chr(1 + int(rand(255))) } 1 .. int(rand(200)));
			my $pkt = pack('NN', 8 + length($params) + 1, 0x00030000) . $params . "\0";
			syswrite($s, substr($pkt, 0, 1 + int(rand(length $pkt))));
		}
		elsif ($mode == 3)
		{
			# a slow trickle, well within authentication_timeout
			for (1 .. 1 + int(rand(6)))
			{
				last unless syswrite($s, chr(int(rand(256))));
				usleep(int(rand(100_000)));
			}
		}
		elsif ($mode == 4)
		{
			# an SSLRequest or GSSENCRequest, then random bytes
			syswrite($s, pack('NN', 8, rand() < 0.5 ? 80877103 : 80877104)
				  . join('', map { chr(int(rand(256))) } 1 .. int(rand(300))));
		}
		# mode 5: connect and close
		$n{$mode}++;
		shutdown($s, 1);
		my $sel = IO::Select->new($s);
		sysread($s, my $b, 65536) if $sel->can_read(3);
		close $s;
	}
	open(my $fh, '>', "$dir/fuzz$id") or die;
	print $fh join(' ', map { $n{$_} // 0 } 0 .. 5), "\n";
	close $fh;
}

my @pids;
for my $id (1 .. 4)
{
	my $pid = fork();
	die unless defined $pid;
	if ($pid == 0)
	{
		fuzzer($id);
		POSIX::_exit(0);
	}
	push @pids, $pid;
}

# Meanwhile, real clients over TCP.
my ($tries, $ok) = (0, 0);
my $deadline = time + $seconds;
while (time < $deadline)
{
	$tries++;
	my ($rc, $out) = psql_conn($node, "host=127.0.0.1 port=$port dbname=postgres", 'SELECT 42');
	$ok++ if $rc == 0 && $out eq '42';
	usleep(200_000);
}
waitpid($_, 0) for @pids;

my $connections = 0;
for my $id (1 .. 4)
{
	open(my $fh, '<', "$dir/fuzz$id") or die "fuzzer $id left no result";
	my @n = split ' ', <$fh>;
	$connections += $_ for @n;
	note "fuzzer $id: random $n[0], length+body $n[1], startup $n[2], trickle $n[3], request+bytes $n[4], close $n[5]";
}
cmp_ok($connections, '>', 1000, "$connections fuzzing connections in $seconds s");
is($ok, $tries, "every real client got in ($ok of $tries)");

my $stats = $node->safe_psql('postgres',
	"SELECT events_total, (SELECT count(*) FROM probe_detect_events) FROM probe_detect_stats");
my ($total, $rows) = split /\|/, $stats;
note "events recorded: $total";
cmp_ok($total, '>', 500, 'the fuzz was recorded');
is($rows, $total, 'below the ring capacity: no event lost');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM probe_detect_events
 WHERE kind IS NULL OR message IS NULL OR seen_at IS NULL
    OR client_addr IS DISTINCT FROM '127.0.0.1' OR client_port IS NULL
    OR (raw_bytes IS NULL) <> (raw_ascii IS NULL)
    OR length(raw_bytes) > 256
    OR raw_ascii ~ '[^\x20-\x7e]' OR detail ~ '[^\x20-\x7e]' OR tool ~ '[^\x20-\x7e]'
    OR (kind = 'unsupported_protocol') <> (protocol_version IS NOT NULL)}),
	'0', 'every row is well formed');
ok( !$node->log_contains(
		'terminated by signal|exited with exit code [2-9]|PANIC|all server processes terminated|reinitializing'),
	'the server never restarted');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'and still works');
$node->stop;
done_testing();
