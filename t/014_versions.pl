# What differs between PostgreSQL majors, on whichever one is under test
# (the version matrix runs this on 13, 15, 17, 18 and 19):
# - every setting in postgresql.conf at start, and reloads and ALTER SYSTEM
#   that change probe_detect.trusted_networks (16+ frees a check hook's
#   extra with guc_free(): malloc'd memory there crashed the server);
# - SMB, HTTP and TLS probes recorded with their bytes and classified, with
#   ssl = off and ssl = on (17+ takes a first byte of 0x16 down its direct-TLS
#   path, which logs nothing unless trace_connection_negotiation is on);
# - a cancel request of the wrong length (18+ has its own message);
# - trace_connection_negotiation's lines stay out of the log unless the user
#   asked for them.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $major = pg_major();
note "PostgreSQL $major";

my $node = probe_node(
	'versions', conf => q{
probe_detect.ban_feed = 'probe_detect.ban'
probe_detect.enabled = on
probe_detect.max_events = 1000
probe_detect.capture_bytes = 512
probe_detect.guessing_threshold = 5
probe_detect.guessing_window = '5min'
probe_detect.save = on
probe_detect.server_log = original
probe_detect.reply = normal
probe_detect.refuse_after = 0
probe_detect.refuse_window = '10min'
probe_detect.refuse_for = '1h'
probe_detect.refuse_ipv4_prefix = 24
probe_detect.refuse_ipv6_prefix = 48
probe_detect.trusted_networks = '10.0.0.0/8, 192.0.2.1, 2001:db8::/32'
probe_detect.repeat_window = '2h'
});
my $port = $node->port;

# ---- settings ------------------------------------------------------------

is(q1($node, "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name LIKE 'probe\\_detect.%'"),
	'probe_detect.ban_feed=probe_detect.ban '
	  . 'probe_detect.capture_bytes=512 probe_detect.enabled=on probe_detect.guessing_threshold=5 '
	  . 'probe_detect.guessing_window=300 probe_detect.max_events=1000 probe_detect.refuse_after=0 '
	  . 'probe_detect.refuse_for=3600 probe_detect.refuse_ipv4_prefix=24 probe_detect.refuse_ipv6_prefix=48 '
	  . 'probe_detect.refuse_window=600 probe_detect.repeat_window=7200 probe_detect.reply=normal '
	  . 'probe_detect.save=on probe_detect.server_log=original probe_detect.tls_fingerprints=on '
	  . 'probe_detect.trusted_networks=10.0.0.0/8, 192.0.2.1, 2001:db8::/32',
	'the server started with every setting in postgresql.conf');

my $pid = postmaster_pid($node);
for my $nets ('127.0.0.0/8', '', '192.0.2.0/24,::1', '198.51.100.7')
{
	set_conf($node, 'probe_detect.trusted_networks', $nets);
}
is(postmaster_pid($node), $pid, 'four reloads changing trusted_networks: the same postmaster');
is(q1($node, 'SHOW probe_detect.trusted_networks'), '198.51.100.7', 'the last reload is in force');

q1($node, "ALTER SYSTEM SET probe_detect.trusted_networks = '203.0.113.0/24'");
q1($node, 'SELECT pg_reload_conf()');
ok($node->poll_query_until('postgres',
		"SELECT current_setting('probe_detect.trusted_networks') = '203.0.113.0/24'"),
	'ALTER SYSTEM SET trusted_networks, then a reload');
my ($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET probe_detect.trusted_networks = '10.0.0.0/8, not-a-net'");
like($err, qr/"not-a-net" is not an address or a network/,
	'ALTER SYSTEM with a bad network: a clear error');
q1($node, 'ALTER SYSTEM RESET probe_detect.trusted_networks');
$node->restart;
is(q1($node, 'SHOW probe_detect.trusted_networks'), '198.51.100.7',
	'restarted with trusted_networks in postgresql.conf');
ok(!$node->log_contains('pfree called with invalid pointer|terminated by signal|PANIC'),
	'no invalid free, no crash');

# ---- probes, ssl = off -----------------------------------------------------

# nmap's SMBProgNeg and TLSSessionReq (nmap-service-probes)
my $smb = nmap_unescape(
	q{\0\0\0\xa4\xff\x53\x4d\x42\x72\0\0\0\0\x08\x01\x40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x40\x06\0\0\x01\0\0\x81\0\x02PC NETWORK PROGRAM 1.0\0\x02MICROSOFT NETWORKS 1.03\0\x02MICROSOFT NETWORKS 3.0\0\x02LANMAN1.0\0\x02LM1.2X002\0\x02Samba\0\x02NT LANMAN 1.0\0\x02NT LM 0.12\0}
);
my $http = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
my $tls = nmap_unescape(
	q{\x16\x03\0\0\x69\x01\0\0\x65\x03\x03U\x1c\xa7\xe4random1random2random3random4\0\0\x0c\0/\0\x0a\0\x13\x009\0\x04\0\xff\x01\0\0\x30\0\x0d\0,\0*\0\x01\0\x03\0\x02\x06\x01\x06\x03\x06\x02\x02\x01\x02\x03\x02\x02\x03\x01\x03\x03\x03\x02\x04\x01\x04\x03\x04\x02\x01\x01\x01\x03\x01\x02\x05\x01\x05\x03\x05\x02}
);

# One probe on a fresh ring: its one event as a hash, with protocol and tool.
sub one_event
{
	my ($bytes, %opts) = @_;
	q1($node, 'SELECT probe_detect_reset()');
	send_probe($node, $bytes, %opts);
	my $row = q1($node,
		"SELECT count(*) OVER (), kind, coalesce(protocol_version, ''), coalesce(encode(raw_bytes, 'hex'), ''),
		        coalesce(raw_offset, -1), coalesce(protocol, ''), coalesce(tool, ''), message
		   FROM probe_detect_events");
	my @f = split /\|/, (split /\n/, $row)[0] // '', 8;
	return {
		n => $f[0] // 0,
		kind => $f[1] // '',
		version => $f[2] // '',
		hex => $f[3] // '',
		offset => $f[4] // '',
		protocol => $f[5] // '',
		tool => $f[6] // '',
		message => $f[7] // ''
	};
}

my $e = one_event($smb);
is("$e->{n} $e->{kind} $e->{version} $e->{hex} $e->{protocol}",
	'1 unsupported_protocol 65363.19778 ff534d42 smb1', 'SMB: recorded and classified');
like(slurp_file($node->data_dir . '/probe_detect.ban'),
	qr/^\S+Z probe_detect\[\d+\]: probe 127\.0\.0\.1 kind=unsupported_protocol protocol=smb1$/m,
	'SMB: in the ban feed, a path relative to the data directory');
$e = one_event($http);
is("$e->{n} $e->{kind} $e->{offset} $e->{protocol}", '1 invalid_length 4 http',
	'HTTP: recorded and classified');
is($e->{hex}, unpack('H*', substr($http, 4)), 'HTTP: the bytes after the length word');

# What a TLS ClientHello is, by version and transport, with ssl = off.
sub tls_expect
{
	my ($via) = @_;
	return ('tls_rejected', unpack('H*', $tls), 0) if $major >= 17;
	return ('invalid_length', unpack('H*', substr($tls, 4)), 4);
}
for my $via ('tcp4', 'unix')
{
	my ($kind, $hex, $offset) = tls_expect($via);
	$e = one_event($tls, via => $via);
	is("$e->{n} $e->{kind} $e->{offset}", "1 $kind $offset", "TLS, ssl off, $via: $kind");
	is($e->{hex}, $hex, "TLS, ssl off, $via: the ClientHello's bytes");
	is("$e->{protocol} $e->{tool}", 'tls nmap -sV TLSSessionReq', "TLS, ssl off, $via: classified");
}

# A cancel request without its key: 18+ says so, older servers call it an
# invalid length; either way an invalid_length event.
$e = one_event(pack('NNN', 12, 80877102, 4242));
is("$e->{n} $e->{kind}", '1 invalid_length', 'cancel request of 12 bytes: invalid_length');
if ($major >= 18)
{
	is("$e->{version} $e->{message}",
		'1234.5678 invalid length of cancel key in cancel request packet',
		'18+: the cancel message, with the request code');
}
else
{
	is($e->{message}, 'invalid length of startup packet', 'before 18: the start-up packet message');
}
$e = one_event(pack('NNN', 12 + 300, 80877102, 4242) . ('k' x 300));
is("$e->{n} $e->{kind}", '1 invalid_length', 'cancel request with a 300-byte key: invalid_length');

# A real client over TCP (libpq's sslmode=prefer sends an SSLRequest first).
my $log_at = -s $node->logfile;
($rc, $out, $err) = psql_conn($node, "host=127.0.0.1 port=$port dbname=postgres sslmode=prefer", 'SELECT 1');
is($out, '1', 'a real client over TCP with sslmode=prefer');
send_probe($node, $tls);
my $log = slurp_file($node->logfile, $log_at);
unlike($log, qr/SSLRequest (accepted|rejected)|direct SSL connection/,
	'no trace_connection_negotiation line the user did not ask for');

# ---- probes, ssl = on --------------------------------------------------------

SKIP:
{
	skip 'openssl is not installed', 1
	  unless have('openssl');
	server_cert($node);
	$node->append_conf('postgresql.conf', "ssl = on\n");
	$node->restart;

	# a failed handshake: OpenSSL's copy of the ClientHello (17+)
	$e = one_event($tls);
	if ($major >= 17)
	{
		is("$e->{n} $e->{kind} $e->{offset}", '1 tls_failure 0', 'TLS, ssl on: tls_failure');
		is($e->{hex}, unpack('H*', $tls), 'TLS, ssl on: the ClientHello OpenSSL was given');
		like($e->{message}, qr/^could not accept SSL connection: /, 'TLS, ssl on: OpenSSL\'s reason');
	}
	else
	{
		is("$e->{n} $e->{kind} $e->{offset}", '1 invalid_length 4', 'TLS, ssl on: invalid_length');
		is($e->{hex}, unpack('H*', substr($tls, 4)), 'TLS, ssl on: the bytes after the length word');
		pass('TLS, ssl on: no handshake before 17');
	}
	is("$e->{protocol} $e->{tool}", 'tls nmap -sV TLSSessionReq', 'TLS, ssl on: classified');

	# 17+: a handshake that completes without ALPN (openssl s_client offers
	# none) is refused after it: one event, without bytes (OpenSSL has them)
	if ($major >= 17)
	{
		q1($node, 'SELECT probe_detect_reset()');
		IPC::Run::run([ 'openssl', 's_client', '-connect', "127.0.0.1:$port" ],
			'<', \'', '>', \my $so, '2>', \my $se, IPC::Run::timeout(30));
		$node->poll_query_until('postgres', 'SELECT count(*) > 0 FROM probe_detect_events');
		select(undef, undef, undef, 0.5);    # a second event would be there by now
		is(q1($node, "SELECT count(*) || ' ' || min(kind) || ' ' || coalesce(min(raw_offset), -1) || ' ' || min(message) FROM probe_detect_events"),
			'1 tls_failure -1 received direct SSL connection request without ALPN protocol negotiation extension',
			'17+: a completed handshake without ALPN: one tls_failure');
	}
	else
	{
		pass('no direct TLS before 17');
	}

	# the Unix socket never speaks TLS
	my ($kind, $hex, $offset) = tls_expect('unix');
	$e = one_event($tls, via => 'unix');
	is("$e->{n} $e->{kind} $e->{hex}", "1 $kind $hex", 'TLS, ssl on, Unix socket: as with ssl off');

	# curl https: a modern ClientHello with ALPN http/1.1
  SKIP:
	{
		skip 'curl is not installed', 1
		  unless have('curl');
		q1($node, 'SELECT probe_detect_reset()');
		IPC::Run::run([ 'curl', '-sk', '--max-time', '5', "https://127.0.0.1:$port/" ],
			'>', \my $co, '2>', \my $ce);
		$node->poll_query_until('postgres', 'SELECT count(*) > 0 FROM probe_detect_events');
		is(q1($node, "SELECT kind || ' ' || coalesce(raw_offset, -1) || ' ' || protocol || ' ' || (get_byte(raw_bytes, 0) = 22)::text FROM probe_detect_events"),
			$major >= 17 ? 'tls_failure 0 tls true' : 'invalid_length 4 tls false',
			'curl https: its ClientHello recorded and classified');
	}

	# real clients with TLS: no event, no trace line
	q1($node, 'SELECT probe_detect_reset()');
	$log_at = -s $node->logfile;
	($rc, $out, $err) = psql_conn($node, "host=127.0.0.1 port=$port dbname=postgres sslmode=require", 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
	is($out, 't', 'a real client with sslmode=require: TLS in use');
	if ($major >= 17)
	{
		($rc, $out, $err) = psql_conn($node, "host=127.0.0.1 port=$port dbname=postgres sslmode=require sslnegotiation=direct", 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
		is($out, 't', '17+: a real client with sslnegotiation=direct: TLS in use');
	}
	else
	{
		pass('no direct TLS before 17');
	}
	is(q1($node, 'SELECT count(*) FROM probe_detect_events'), '0', 'real TLS clients leave no event');
	unlike(slurp_file($node->logfile, $log_at), qr/SSLRequest (accepted|rejected)|direct SSL connection/,
		'no trace line for them either');

	# a user who asked for trace_connection_negotiation keeps its lines
	if ($major >= 17)
	{
		$node->append_conf('postgresql.conf', "trace_connection_negotiation = on\n");
		$node->restart;
		$log_at = -s $node->logfile;
		($rc, $out, $err) = psql_conn($node, "host=127.0.0.1 port=$port dbname=postgres sslmode=require", 'SELECT 1');
		$e = one_event($tls, via => 'unix');
		is("$e->{n} $e->{kind}", '1 tls_rejected', 'trace on by the user: still recorded');
		$log = slurp_file($node->logfile, $log_at);
		like($log, qr/SSLRequest accepted/, 'trace on by the user: its lines are kept');
		like($log, qr/direct SSL connection rejected/, 'trace on by the user: the rejection too');
	}
	else
	{
		pass('no trace_connection_negotiation before 17') for 1 .. 3;
	}
}

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
