# A PostgreSQL client whose TLS handshake fails is not a probe: psql with
# the wrong root CA (sslmode=verify-ca), psql with a client certificate the
# server does not trust, and on 17+ the same over direct TLS.  Each is
# recorded as tls_client_failure with OpenSSL's reason, PostgreSQL's line
# stays in the log (server_log = annotated replaces probes' lines only), the
# ban feed calls it a failure, and it counts toward neither refusing nor a
# ban.  A probe's TLS failure, for contrast, keeps its reason in the
# annotated line.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

plan skip_all => 'openssl is not installed'
  unless have('openssl');

my $major = pg_major();
my $dir = PostgreSQL::Test::Utils::tempdir();
my $feed = "$dir/probe_detect.ban";
my $node = probe_node('tlsclient',
	conf => "probe_detect.server_log = annotated\nprobe_detect.ban_feed = '$feed'\n"
	  . "probe_detect.refuse_after = 2\n");
my $port = $node->port;
my $pgdata = $node->data_dir;

sub openssl
{
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'openssl', @_ ], '>', \$o, '2>', \$e) or die "openssl @_: $e";
	return;
}

# The server's certificate (its own root), a client CA the server trusts,
# a stranger's root that signed nothing here, and a client certificate
# signed by the stranger.
server_cert($node);
for my $ca (qw(client_ca stranger))
{
	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', "$dir/$ca.key",
		'-out', "$dir/$ca.crt", '-days', '2', '-subj', "/CN=$ca");
}
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', "$dir/client.key",
	'-out', "$dir/client.csr", '-subj', '/CN=alice');
openssl('x509', '-req', '-in', "$dir/client.csr", '-CA', "$dir/stranger.crt",
	'-CAkey', "$dir/stranger.key", '-CAcreateserial', '-out', "$dir/client.crt", '-days', '2');
chmod 0600, "$dir/client.key";
system('cp', "$dir/client_ca.crt", "$pgdata/client_ca.crt") == 0 or die;
$node->append_conf('postgresql.conf', "ssl = on\nssl_ca_file = 'client_ca.crt'\n");
{
	open(my $fh, '>', "$pgdata/pg_hba.conf") or die;
	print $fh "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n";
	close $fh;
}
$node->restart;

my $log_at = -s $node->logfile;
my @clients = (
	[ 'wrong root CA', "sslmode=verify-ca sslrootcert=$dir/stranger.crt", qr/unknown ca/ ],
	[ 'untrusted client certificate',
		"sslmode=verify-ca sslrootcert=$pgdata/server.crt sslcert=$dir/client.crt sslkey=$dir/client.key",
		qr/certificate verify failed/ ],
	($major >= 17
		? ([ 'wrong root CA, direct TLS',
				"sslmode=verify-ca sslnegotiation=direct sslrootcert=$dir/stranger.crt", qr/unknown ca/ ])
		: ()));
for my $c (@clients)
{
	for (1 .. 2)
	{
		my ($rc, $out, $err) = psql_conn($node,
			"host=127.0.0.1 port=$port dbname=postgres $c->[1]", 'SELECT 1');
		isnt($rc, 0, "$c->[0]: psql fails") or diag $out;
	}
}
$node->poll_query_until('postgres',
	'SELECT count(*) >= ' . 2 * @clients . ' FROM probe_detect_events');

my @ev = split /\n/, q1($node,
	"SELECT kind || '|' || protocol || '|' || message || '|' || coalesce(detail, '') FROM probe_detect_events ORDER BY event_id");
is(scalar @ev, 2 * @clients, 'one event per failed client');
for my $i (0 .. $#clients)
{
	my ($name, $re) = ($clients[$i][0], $clients[$i][2]);
	for my $e (@ev[ 2 * $i, 2 * $i + 1 ])
	{
		my ($kind, $protocol, $message, $detail) = split /\|/, $e;
		is($kind, 'tls_client_failure', "$name: recorded as tls_client_failure");
		like($message, qr/^could not accept SSL connection: .*$re/, "$name: with OpenSSL's reason");
		if ($name =~ /direct/)
		{
			is($protocol, 'tls', "$name: its ClientHello classified");
			like($detail, qr/alpn=postgresql/, "$name: libpq's ALPN");
		}
		else
		{
			is($protocol, 'postgres', "$name: it spoke SSLRequest, PostgreSQL's protocol");
			pass("$name: no ClientHello kept after an SSLRequest");
		}
	}
}

# PostgreSQL's own line, with the reason; no annotated "probe" line
my $log = slurp_file($node->logfile, $log_at);
like($log, qr/LOG:  could not accept SSL connection: tlsv1 alert unknown ca/,
	"the server log keeps PostgreSQL's line and reason");
like($log, qr/could not accept SSL connection: .*certificate verify failed/,
	'also for the untrusted client certificate');
unlike($log, qr/probe_detect: probe from/, 'and calls none of them a probe');

# not a probe anywhere: the feed says failure, refusing did not count them
my @feed = split /\n/, slurp_file($feed);
is(scalar(grep { / failure 127\.0\.0\.1 kind=tls_client_failure protocol=(postgres|tls)$/ } @feed),
	2 * @clients, 'the ban feed: a failure each');
is(scalar(grep { / (probe|guessing) / } @feed), 0, 'the ban feed: no probe, nothing to ban');
is(q1($node, 'SELECT count(*) FROM probe_detect_refused'), '0', 'refusing did not count them');
my ($rc, $out, $err) = psql_conn($node,
	"host=127.0.0.1 port=$port dbname=postgres sslmode=verify-ca sslrootcert=$pgdata/server.crt",
	'SELECT 1');
is($out, '1', 'the client with the right root CA gets in');
is(q1($node, "SELECT value FROM probe_detect_counters WHERE counter = 'events_by_kind' AND label = 'tls_client_failure'"),
	2 * @clients, 'counted under its own kind');

# A probe's failed handshake keeps its reason in the annotated line (17+:
# a direct-TLS ClientHello nobody can serve; before 17 TLS comes only
# after an SSLRequest, and a TLS record without one is invalid_length).
if ($major >= 17)
{
	$log_at = -s $node->logfile;
	my $hello = nmap_probe('TLSSessionReq') // pack('H*', '16030100050100000100');
	send_probe($node, $hello);
	$node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM probe_detect_events WHERE kind = 'tls_failure'");
	like(slurp_file($node->logfile, $log_at),
		qr/probe_detect: probe from 127\.0\.0\.1:\d+: tls_failure "[^"]*" tls[^;]*; reason: \S/,
		"17+: a probe's annotated line keeps OpenSSL's reason");
}
else
{
	pass('no direct TLS before 17');
}

# An SSLRequest followed by HTTP instead of a ClientHello: no client does
# that; a probe (OpenSSL says "http request").
q1($node, 'SELECT probe_detect_reset()');
send_probe($node, pack('NN', 8, 80877103), then => "GET / HTTP/1.0\r\n\r\n");
$node->poll_query_until('postgres', 'SELECT count(*) > 0 FROM probe_detect_events');
like(q1($node, "SELECT kind || ' ' || message FROM probe_detect_events"),
	qr/^tls_failure could not accept SSL connection: http request$/,
	'SSLRequest, then HTTP: a tls_failure probe');
like(slurp_file($feed), qr/ probe 127\.0\.0\.1 kind=tls_failure protocol=unknown$/m,
	'SSLRequest, then HTTP: a probe in the ban feed');

$node->stop;
done_testing();
