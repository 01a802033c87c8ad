# Refusing counts attempts, never a legitimate client's logins: libpq's
# fallbacks (sslmode=prefer and allow) over every pg_hba.conf layout with
# ssl on and off, a wrong password retried without TLS counted once,
# pardons that last through other refusals and a clean restart, and
# refusal by network.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IO::Socket::IP;
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('attempts',
	conf => "probe_detect.refuse_after = 3\nprobe_detect.refuse_window = 10min\n"
	  . "password_encryption = 'scram-sha-256'\n");
my $port = $node->port;
my $dir = $node->data_dir;

server_cert($node);
q1($node, "CREATE ROLE alice LOGIN PASSWORD 'alicepw'; CREATE ROLE trusted LOGIN");

# pg_hba.conf: the Unix socket trusted, raw clients from 127.0.0.2-15 with
# clear-text passwords, then the layout under test for 127.0.0.1.
sub hba
{
	my ($line) = @_;
	open(my $fh, '>', "$dir/pg_hba.conf") or die;
	print $fh "local all all trust\n"
	  . "host all all 127.0.0.2/31 password\nhost all all 127.0.0.4/30 password\n"
	  . "host all all 127.0.0.8/29 password\n"
	  . "$line all alice 127.0.0.1/32 scram-sha-256\n";
	close $fh;
	$node->reload;
}

sub login
{
	my ($sslmode, $password) = @_;
	my ($rc, $out, $err) = psql_conn($node,
		"host=127.0.0.1 port=$port user=alice dbname=postgres sslmode=$sslmode password="
		  . ($password // 'alicepw'), 'SELECT 1');
	return $rc == 0 ? '' : ($err || "exit $rc");
}

# ---- 20 logins with libpq's defaults against a hostnossl line, ssl on ------
$node->append_conf('postgresql.conf', "ssl = on\n");
$node->restart;
hba('hostnossl');
my $in = 0;
$in += login('prefer') eq '' for 1 .. 20;
is($in, 20, 'ssl on, hostnossl, sslmode=prefer: 20 logins of 20 get in (refuse_after = 3)');
is(q1($node, "SELECT count(*) FROM probe_detect_events WHERE kind = 'hba_rejected'"), '20',
	'each left its TLS attempt as an hba_rejected event');
is(q1($node, 'SELECT count(*) FROM probe_detect_refused'), '0', 'and nobody is refused');

# a guesser from another address is refused all the same
my @g = map { login_from($node, '127.0.0.2', 'alice', "guess$_") } 1 .. 4;
like($g[0], qr/password authentication failed/, 'a guesser from 127.0.0.2: its first try fails');
like($g[3], qr/connection from "127\.0\.0\.2" refused by probe_detect/,
	'its fourth try is refused');
like(login_from($node, '127.0.0.2', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'and so is its right password');
is(login('prefer'), '', 'while 127.0.0.1 still gets in');

# ---- every layout, ssl on and off, every sslmode that can get in -----------
# Five logins each, in one sequence per ssl setting: none may be refused.
for my $ssl ('on', 'off')
{
	$node->append_conf('postgresql.conf', "ssl = $ssl\n");
	$node->restart;
	q1($node, "SELECT probe_detect_unrefuse('127.0.0.1')");
	for my $layout ('host', 'hostssl', 'hostnossl')
	{
		hba($layout);
		for my $mode ('disable', 'allow', 'prefer', 'require')
		{
			my $tls = $ssl eq 'on' && $mode ne 'disable';
			my $can = $layout eq 'host' ? $ssl eq 'on' || $mode ne 'require'
			  : $layout eq 'hostssl' ? $tls
			  : ($mode ne 'require');
			next unless $can;
			my @err = grep { $_ ne '' } map { login($mode) } 1 .. 5;
			is(join(' | ', @err), '', "ssl $ssl, $layout, sslmode=$mode: 5 logins, all in");
		}
	}
	is(q1($node, "SELECT count(*) FROM probe_detect_refused WHERE client_addr = '127.0.0.1'"), '0',
		"ssl $ssl: 127.0.0.1 not refused");
}

# ---- a wrong password retried without TLS counts once ----------------------
$node->append_conf('postgresql.conf', "ssl = on\n");
$node->restart;
hba('host');
q1($node, "SELECT probe_detect_unrefuse('127.0.0.1'); SELECT probe_detect_reset()");
like(login('prefer', 'wrong'), qr/password authentication failed/, 'a wrong password (prefer)');
like(login('prefer', 'wrong'), qr/password authentication failed/, 'a second one');
is(q1($node, "SELECT count(*) FROM probe_detect_events WHERE kind = 'auth_failed'"), '4',
	'four failures: each over TLS, then retried in plaintext');
is(login('prefer'), '', 'two attempts, not four: the right password gets in');
like(login('prefer', 'wrong'), qr/password authentication failed|refused by probe_detect/,
	'a third wrong password');
like(login('prefer'), qr/refused by probe_detect/, 'three attempts: refused');

# ---- pardons last -------------------------------------------------------------
my $probe = "GET / HTTP/1.0\r\n\r\n";
sub probes_from
{
	my ($src, $n) = @_;
	for (1 .. $n)
	{
		my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port,
			LocalHost => $src, Proto => 'tcp') or die "connect from $src: $@";
		syswrite($s, $probe);
		sysread($s, my $b, 100);
		close $s;
	}
}
probes_from('127.0.0.4', 3);
like(login_from($node, '127.0.0.4', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'3 probes from 127.0.0.4: refused');
is(q1($node, "SELECT probe_detect_unrefuse('127.0.0.4')"), 't', 'pardoned');
is(login_from($node, '127.0.0.4', 'alice', 'alicepw'), 'ok', 'the pardoned address gets in');
probes_from('127.0.0.5', 3);
like(login_from($node, '127.0.0.5', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'another address refused');
is(login_from($node, '127.0.0.4', 'alice', 'alicepw'), 'ok',
	'the pardoned one still gets in after another refusal');
is(q1($node, "SELECT probe_detect_unrefuse('127.0.0.6')"), 'f',
	'pardoning an address never refused: false, and it takes no room');
$node->restart;
is(login_from($node, '127.0.0.4', 'alice', 'alicepw'), 'ok',
	'the pardoned one still gets in after a clean restart');
like(login_from($node, '127.0.0.5', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'and the refused one is still refused');
probes_from('127.0.0.4', 2);
is(login_from($node, '127.0.0.4', 'alice', 'alicepw'), 'ok', 'two new probes: still in');
probes_from('127.0.0.4', 1);
like(login_from($node, '127.0.0.4', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'three new probes since the pardon: refused again');

# probe_detect_reset() empties the counts along with the ring
probes_from('127.0.0.6', 2);
q1($node, 'SELECT probe_detect_reset()');
probes_from('127.0.0.6', 1);
is(login_from($node, '127.0.0.6', 'alice', 'alicepw'), 'ok',
	'two probes, a reset, one probe: not three');

# ---- by network ---------------------------------------------------------------
$node->append_conf('postgresql.conf', "probe_detect.refuse_ipv4_prefix = 29\n");
$node->restart;
q1($node, "SELECT probe_detect_unrefuse('127.0.0.4'); SELECT probe_detect_unrefuse('127.0.0.5')");
probes_from($_, 1) for '127.0.0.8', '127.0.0.9', '127.0.0.10';
like(login_from($node, '127.0.0.9', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'/29: three addresses, one probe each: the network is refused');
is(q1($node, "SELECT client_addr FROM probe_detect_refused WHERE client_addr <<= '127.0.0.8/29'"),
	'127.0.0.8/29', 'the view shows the network');
like(login_from($node, '127.0.0.12', 'alice', 'alicepw'), qr/refused by probe_detect/,
	'another address of the /29 is refused');
is(q1($node, "SELECT probe_detect_unrefuse('127.0.0.14')"), 't', 'any address of it lifts it');

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
