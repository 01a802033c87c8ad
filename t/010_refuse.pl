# Refusing probing hosts: probe_detect.refuse_after / refuse_window /
# refuse_for, trusted networks, the Unix socket, probe_detect_refused and
# probe_detect_unrefuse, and a table that stays bounded whatever the number
# of addresses.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IO::Socket::IP;
use IO::Select;
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(sleep);

my $node = probe_node('refuse',
	conf => "probe_detect.refuse_after = 5\nprobe_detect.refuse_window = 60s\n"
	  . "password_encryption = 'scram-sha-256'\n");
my $port = $node->port;
set_hba($node, 'host all trusted 127.0.0.0/8 trust',
	'host all all 127.0.0.1/32 scram-sha-256',
	'host all all ::1/128 scram-sha-256');
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'; CREATE ROLE trusted LOGIN");

# A login over TCP with libpq: returns psql's stderr ('' on success).
sub login
{
	my ($host) = @_;
	my ($rc, $out, $err) = psql_conn($node, "host=$host port=$port user=alice dbname=postgres password=alicepw sslmode=disable", 'SELECT 1');
	return $rc == 0 ? '' : $err;
}

# A probe or a trusted start-up packet from a chosen loopback address.
sub from
{
	my ($src, $bytes) = @_;
	my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port,
		LocalHost => $src, Proto => 'tcp') or die "connect from $src: $@";
	syswrite($s, $bytes);
	my $reply = '';
	my $sel = IO::Select->new($s);
	while ($sel->can_read(5))
	{
		last unless sysread($s, my $b, 4096);
		$reply .= $b;
	}
	close $s;
	return $reply;
}
my $body = "user\0trusted\0database\0postgres\0\0";
my $startup = pack('NN', 8 + length $body, 0x00030000) . $body;

# Four probes: still under the threshold.
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 4;
is(login('127.0.0.1'), '', '4 probes: the right password still gets in');
send_probe($node, "GET /5 HTTP/1.0\r\n\r\n");
like(login('127.0.0.1'), qr/FATAL:  connection from "127\.0\.0\.1" refused by probe_detect/,
	'5 probes: refused, right password or not');
like(login('127.0.0.1'), qr/refused by probe_detect/, 'and refused again');
is(q1($node, "SELECT client_addr, until > since, until - since, reason FROM probe_detect_refused"),
	'127.0.0.1|t|01:00:00|5 probes or failed attempts within 60 s',
	'probe_detect_refused: the network (/32), for refuse_for (1 h by default), and why');
is(q1($node, "SELECT count(*) FROM probe_detect_events WHERE kind = 'refused' AND client_addr = '127.0.0.1'"),
	'2', 'each refused connection is an event');
ok($node->log_contains('The network 127.0.0.1/32 made 5 probes or failed attempts within 60 seconds; it is refused until'),
	'the server log says why');

# Never the Unix socket; never another address.
is(q1($node, 'SELECT 1'), '1', 'the Unix socket is never refused');
SKIP:
{
	skip 'no IPv6', 1 unless have_ipv6();
	is(login('::1'), '', 'another address is not refused');
}

# Trusted networks are never refused.
set_conf($node, 'probe_detect.trusted_networks', '10.0.0.0/8, 127.0.0.0/8');
is(login('127.0.0.1'), '', 'trusted_networks: 127.0.0.0/8 gets in');
set_conf($node, 'probe_detect.trusted_networks', '');
like(login('127.0.0.1'), qr/refused by probe_detect/, 'trusted no more: refused');
my ($rc, $out, $err) = $node->psql('postgres', "SET probe_detect.trusted_networks = 'x'");
like($err, qr/cannot be changed now|invalid value/, 'trusted_networks is not a session setting');
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET probe_detect.trusted_networks = '300.1.2.3/8'");
like($err, qr/is not an address or a network in CIDR notation/, 'a bad network is refused with a clear error');

# probe_detect_unrefuse: lifts it, and pardons what came before.
is(q1($node, "SELECT probe_detect_unrefuse('127.0.0.1')"), 't', 'unrefuse: it was refused');
is(login('127.0.0.1'), '', 'unrefused: gets in');
is(q1($node, "SELECT count(*) FROM probe_detect_refused"), '0', 'and the view is empty');
is(q1($node, "SELECT probe_detect_unrefuse('127.0.0.1')"), 'f', 'unrefuse again: it was not refused');
is(q1($node, "SELECT probe_detect_unrefuse('10.0.0.0/8')"), 'f', 'unrefuse takes a network too');

# Refusals end after refuse_for, once the events age out of the window.
set_conf($node, 'probe_detect.refuse_window', '2s');
set_conf($node, 'probe_detect.refuse_for', '1s');
send_probe($node, "GET /$_ HTTP/1.0\r\n\r\n") for 1 .. 5;
like(login('127.0.0.1'), qr/refused by probe_detect/, 'short window: refused');
sleep 3.2;
is(login('127.0.0.1'), '', 'after refuse_for and the window: gets in again');

# Privileges: PUBLIC reads nothing and lifts nothing.
q1($node, 'CREATE ROLE regress_nobody LOGIN');
($rc, $out, $err) = $node->psql('postgres', 'SELECT * FROM probe_detect_refused',
	extra_params => [ '-U', 'regress_nobody' ]);
like($err, qr/permission denied for view probe_detect_refused/, 'PUBLIC cannot read the refusals');
($rc, $out, $err) = $node->psql('postgres', "SELECT probe_detect_unrefuse('127.0.0.1')",
	extra_params => [ '-U', 'regress_nobody' ]);
like($err, qr/permission denied for function probe_detect_unrefuse/, 'PUBLIC cannot lift them');

# A swarm of addresses: the table stays bounded (1024), the newest kept.
set_conf($node, 'probe_detect.refuse_window', '10min');
set_conf($node, 'probe_detect.refuse_for', '1h');
set_conf($node, 'probe_detect.refuse_after', '1');
q1($node, 'SELECT probe_detect_reset()');
my $swarm = 1100;
my $refused = 0;
for my $i (1 .. $swarm)
{
	my $src = sprintf('127.1.%d.%d', int($i / 250), 1 + $i % 250);
	from($src, "GET / HTTP/1.0\r\n\r\n");
	$refused++ if from($src, $startup) =~ /refused by probe_detect/;
}
is($refused, $swarm, "$swarm addresses, each refused after one probe");
is(q1($node, 'SELECT count(*) FROM probe_detect_refused'), '1024',
	'the table holds 1024 refusals, no more');
is(q1($node, "SELECT count(*) FROM probe_detect_refused WHERE client_addr = '127.1.4.101'"), '1',
	'the newest refusal is kept');
is(q1($node, 'SELECT 1'), '1', 'the server is fine');

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
