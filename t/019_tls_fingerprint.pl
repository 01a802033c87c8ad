# The ClientHello of the TLS handshakes PostgreSQL itself performs (14+,
# openssl_tls_init_hook, pd_tls.c): a failed login over TLS and a failed
# handshake after an SSLRequest carry the client's JA4, SNI and ALPN in
# detail; on 17+ a direct-TLS failure too.  Each JA4 is checked two ways:
# against the same client's ClientHello caught by a listener here and run
# through probe_detect_classify() (whose JA4 the unit tests check against
# FoxIO's reference), and, for Debian 12's psql 15 and OpenSSL 3.0, against
# the value FoxIO's ja4.py printed for a pcap of that client's hello.  With
# probe_detect.tls_fingerprints off, nothing is recorded.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IO::Socket::INET;
use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $major = pg_major();
plan skip_all => 'openssl_tls_init_hook is new in PostgreSQL 14'
  if $major < 14;
plan skip_all => 'openssl is not installed'
  unless have('openssl');

my $dir = PostgreSQL::Test::Utils::tempdir();
my $node = probe_node('tlsfp');
my $port = $node->port;
my $pgdata = $node->data_dir;

server_cert($node);
{
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
			'-keyout', "$dir/stranger.key", '-out', "$dir/stranger.crt", '-days', '2',
			'-subj', '/CN=stranger' ], '>', \$o, '2>', \$e) or die "openssl: $e";
}
$node->append_conf('postgresql.conf', "ssl = on\npassword_encryption = 'scram-sha-256'\n");
$node->restart;
$node->safe_psql('postgres', "CREATE ROLE regress_alice LOGIN PASSWORD 'right'");
set_hba($node, 'hostssl all all 127.0.0.1/32 scram-sha-256');

# The first ClientHello a command sends to a listener of ours that, like
# PostgreSQL, answers an SSLRequest with 'S'; as hex.
sub hello_of
{
	my (@cmd) = @_;
	my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
		Listen => 1, ReuseAddr => 1) or die "listen: $!";
	my $lp = $l->sockport;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ map { s/PORT/$lp/gr } @cmd ],
		'<', \'', '>', \$out, '2>', \$err, IPC::Run::timeout(30));
	my $buf = '';
	local $SIG{ALRM} = sub { die "no ClientHello from @cmd\n" };
	alarm 20;
	my $s = $l->accept or die "accept: $!";
	my $read = sub {
		my ($n) = @_;
		while (length($buf) < $n)
		{
			my $r = sysread($s, $buf, $n - length($buf), length($buf));
			die "short read from @cmd" unless $r;
		}
	};
	$read->(8);
	if ($buf eq pack('H*', '0000000804d2162f'))
	{
		syswrite($s, 'S');
		$buf = '';
		$read->(5);
	}
	$read->(5 + unpack('n', substr($buf, 3, 2)));
	alarm 0;
	close $s;
	$h->kill_kill;
	return unpack('H*', $buf);
}

sub ja4_in
{
	my ($detail) = @_;
	return ($detail // '') =~ /\bja4=(t\w{9}_[0-9a-f]{12}_[0-9a-f]{12})\b/ ? $1 : '';
}

sub classified_ja4
{
	my ($hex) = @_;
	return ja4_in(q1($node, "SELECT detail FROM probe_detect_classify('\\x$hex'::bytea)"));
}

# Debian 12: psql 15 on OpenSSL 3.0, where FoxIO's ja4.py gave these for
# pcaps of the same hellos (a listener like hello_of's, bytes replayed).
my $openssl_30 = `openssl version` =~ /^OpenSSL 3\.0\./;
my $psql_15 = `psql --version` =~ /\) 15\./;
my %published = (
	psql => 't13i310900_e8f1e7e78f70_1f22a2ca17c4',
	s_client => 't13d3111h2_e8f1e7e78f70_1f22a2ca17c4',
);

my $last = q1($node, 'SELECT coalesce(max(event_id), 0) FROM probe_detect_events');

sub new_events
{
	my ($n) = @_;
	$node->poll_query_until('postgres',
		"SELECT count(*) >= $n FROM probe_detect_events WHERE event_id > $last")
	  or die "no events";
	my @rows = map { [ split /\|/, $_, 4 ] } split /\n/, q1($node,
		"SELECT kind || '|' || coalesce(protocol, '') || '|' || coalesce(tool, '') || '|' || coalesce(detail, '')"
		  . " FROM probe_detect_events WHERE event_id > $last ORDER BY event_id");
	$last = q1($node, 'SELECT max(event_id) FROM probe_detect_events');
	return @rows;
}

# 1. a wrong password over TLS (sslmode=require: no plaintext retry)
my $psql_conn = "host=127.0.0.1 port=PORT sslmode=require user=regress_alice password=wrong dbname=postgres";
my $want = classified_ja4(hello_of('psql', '-XAtw', '-d', $psql_conn, '-c', 'SELECT 1'));
isnt($want, '', "psql's ClientHello classified with a JA4");
is($want, $published{psql}, "psql 15's JA4 is FoxIO's ja4.py's")
  if $openssl_30 && $psql_15;
my ($rc) = psql_conn($node, $psql_conn =~ s/PORT/$port/r, 'SELECT 1');
isnt($rc, 0, 'wrong password fails');
my ($ev) = new_events(1);
is($ev->[0], 'auth_failed', 'recorded as auth_failed');
like($ev->[3], qr/\bssl=on\b/, 'over TLS');
# PostgreSQL 19's handshakes use the per-host TLS contexts of its SNI work,
# which do not come through openssl_tls_init_hook as 14-18's one context
# does: there, nothing of OpenSSL's copy of the hello reaches us.
my $hook_sees = $major < 19;
SKIP:
{
	skip "19's handshakes do not use the hooked context", 1 unless $hook_sees;
	is(ja4_in($ev->[3]), $want, "the failed login carries psql's JA4");
}
($rc) = psql_conn($node, "host=127.0.0.1 port=$port sslmode=require user=regress_alice password=right dbname=postgres", 'SELECT 1');
is($rc, 0, 'a good login over TLS works with the callback on');

# 2. openssl s_client after an SSLRequest, rejecting our certificate
my @s_client = ('openssl', 's_client', '-connect', '127.0.0.1:PORT', '-starttls', 'postgres',
	'-servername', 'example.com', '-alpn', 'h2,http/1.1',
	'-CAfile', "$dir/stranger.crt", '-verify_return_error');
$want = classified_ja4(hello_of(@s_client));
isnt($want, '', "s_client's ClientHello classified with a JA4");
is($want, $published{s_client}, "s_client's JA4 on OpenSSL 3.0 is FoxIO's ja4.py's")
  if $openssl_30;
IPC::Run::run([ map { s/PORT/$port/gr } @s_client ], '<', \'', '>', \my $o, '2>', \my $e);
($ev) = new_events(1);
is($ev->[0], 'tls_client_failure', 's_client: tls_client_failure');
SKIP:
{
	skip "19's handshakes do not use the hooked context", 2 unless $hook_sees;
	is(ja4_in($ev->[3]), $want, "s_client: its JA4 though OpenSSL consumed the hello");
	like($ev->[3], qr/\bsni=example\.com alpn=h2,http\/1\.1\b/, 's_client: SNI and ALPN');
}

# 3. 17+: direct TLS, the same failure; the JA4 from the bytes OpenSSL was given
SKIP:
{
	skip 'direct TLS is new in PostgreSQL 17', 3 if $major < 17;
	my @direct = ('openssl', 's_client', '-connect', "127.0.0.1:$port", '-alpn', 'postgresql',
		'-CAfile', "$dir/stranger.crt", '-verify_return_error');
	IPC::Run::run(\@direct, '<', \'', '>', \my $o2, '2>', \my $e2);
	($ev) = new_events(1);
	is($ev->[0], 'tls_client_failure', 'direct s_client: tls_client_failure');
	is($ev->[1], 'tls', 'direct s_client: its ClientHello classified');
	like(ja4_in($ev->[3]), qr/^t13i\d{4}pl_/, 'direct s_client: a JA4 with ALPN postgresql');
}

# 4. switched off: nothing recorded, the handshake as before
$node->append_conf('postgresql.conf', "probe_detect.tls_fingerprints = off\n");
$node->reload;
IPC::Run::run([ map { s/PORT/$port/gr } @s_client ], '<', \'', '>', \my $o3, '2>', \my $e3);
($ev) = new_events(1);
is($ev->[0], 'tls_client_failure', 'off: still a tls_client_failure');
is(ja4_in($ev->[3]), '', 'off: no JA4');
($rc) = psql_conn($node, "host=127.0.0.1 port=$port sslmode=require user=regress_alice password=right dbname=postgres", 'SELECT 1');
is($rc, 0, 'off: a good login over TLS still works');

done_testing();
