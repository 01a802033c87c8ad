# Real bytes over raw sockets: each rejected start-up becomes one row with
# the right kind, bytes, offset, address and port, over 127.0.0.1, ::1 and
# the Unix socket.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(usleep time);

my $node = probe_node('capture');
my $ipv6 = have_ipv6();
my $major = pg_major();

# nmap's probes, as written in nmap-service-probes (nmap 7.93).
my %nmap = (
	SMBProgNeg =>
	  q{\0\0\0\xa4\xff\x53\x4d\x42\x72\0\0\0\0\x08\x01\x40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x40\x06\0\0\x01\0\0\x81\0\x02PC NETWORK PROGRAM 1.0\0\x02MICROSOFT NETWORKS 1.03\0\x02MICROSOFT NETWORKS 3.0\0\x02LANMAN1.0\0\x02LM1.2X002\0\x02Samba\0\x02NT LANMAN 1.0\0\x02NT LM 0.12\0},
	Kerberos =>
	  q{\0\0\0\x71\x6a\x81\x6e\x30\x81\x6b\xa1\x03\x02\x01\x05\xa2\x03\x02\x01\x0a\xa4\x81\x5e\x30\x5c\xa0\x07\x03\x05\0\x50\x80\0\x10\xa2\x04\x1b\x02NM\xa3\x17\x30\x15\xa0\x03\x02\x01\0\xa1\x0e\x30\x0c\x1b\x06krbtgt\x1b\x02NM\xa5\x11\x18\x0f19700101000000Z\xa7\x06\x02\x04\x1f\x1e\xb9\xd9\xa8\x17\x30\x15\x02\x01\x12\x02\x01\x11\x02\x01\x10\x02\x01\x17\x02\x01\x01\x02\x01\x03\x02\x01\x02},
	TLSSessionReq =>
	  q{\x16\x03\0\0\x69\x01\0\0\x65\x03\x03U\x1c\xa7\xe4random1random2random3random4\0\0\x0c\0/\0\x0a\0\x13\x009\0\x04\0\xff\x01\0\0\x30\0\x0d\0,\0*\0\x01\0\x03\0\x02\x06\x01\x06\x03\x06\x02\x02\x01\x02\x03\x02\x02\x03\x01\x03\x03\x03\x02\x04\x01\x04\x03\x04\x02\x01\x01\x01\x03\x01\x02\x05\x01\x05\x03\x05\x02},
);
my %probe = map { $_ => nmap_unescape($nmap{$_}) } keys %nmap;

# Where nmap is installed, the copies above must still be nmap's own.
for my $name (sort keys %nmap)
{
	my $installed = nmap_probe($name);
  SKIP:
	{
		skip "nmap not installed", 1 unless defined $installed;
		is(hexstr($probe{$name}), hexstr($installed),
			"$name matches the installed nmap-service-probes");
	}
}

# Deterministic "random" bytes whose first byte makes the length negative.
srand(20261123);
my $random = chr(0x80 | int(rand(128))) . join('', map { chr(int(rand(256))) } 1 .. 299);

my $http = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
my $ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n";
my $v2 = pack('NN', 8, 0x00020000);
my $v3_nouser = pack('NN', 4 + 4 + 18 + 1, 0x00030000) . "database\0postgres\0\0";
# The terminator must be the last byte: here one more NUL follows it.
my $v3_badlayout = pack('NN', 4 + 4 + 13, 0x00030000) . "user\0alice\0\0\0";
my $sslreq = pack('NN', 8, 80877103);
my $gssreq = pack('NN', 8, 80877104);

# name => [bytes, kind, expected raw bytes, raw_offset, protocol_version, options]
my @cases = (
	[ 'nmap SMBProgNeg', $probe{SMBProgNeg}, 'unsupported_protocol',
		"\xffSMB", 4, '65363.19778' ],
	[ 'nmap Kerberos', $probe{Kerberos}, 'unsupported_protocol',
		"\x6a\x81\x6e\x30", 4, '27265.28208' ],
	[ 'HTTP GET', $http, 'invalid_length', substr($http, 4), 4, '' ],
	# 17+ peeks at a first byte of 0x16 and, with ssl = off here, rejects
	# the direct TLS connection with the whole ClientHello unread; before
	# 17 it is a start-up packet whose length word is too large.
	$major >= 17
	? [ 'TLS ClientHello', $probe{TLSSessionReq}, 'tls_rejected',
		$probe{TLSSessionReq}, 0, '' ]
	: [ 'TLS ClientHello', $probe{TLSSessionReq}, 'invalid_length',
		substr($probe{TLSSessionReq}, 4), 4, '' ],
	[ 'SSH banner', $ssh, 'invalid_length', substr($ssh, 4), 4, '' ],
	[ 'random bytes', $random, 'invalid_length',
		substr($random, 4, 256), 4, '' ],
	# 13 still speaks protocol 2.0: the packet is accepted, then has no user
	$major == 13
	? [ 'protocol 2.0', $v2, 'missing_user', '', -1, '' ]
	: [ 'protocol 2.0', $v2, 'unsupported_protocol', "\0\x02\0\0", 4, '2.0' ],
	# The server answers 'N' (ssl is off); a client that then asks again
	# sends protocol 1234.5679.  Pipelined, the second request is data.
	[ 'SSLRequest again after the answer', $sslreq,
		'unsupported_protocol', "\x04\xd2\x16\x2f", 4, '1234.5679',
		then => $sslreq ],
	[ 'SSLRequest twice, pipelined', $sslreq x 2,
		'unencrypted_after_request', $sslreq, 8, '' ],
	[ 'v3 packet without user', $v3_nouser, 'missing_user', '', -1, '' ],
	[ 'v3 packet without terminator', $v3_badlayout, 'invalid_layout', '', -1, '' ],
	[ 'plaintext after SSLRequest', $sslreq . $http,
		'unencrypted_after_request', $http, 8, '' ],
	# Over TCP the server accepts GSSAPI encryption and waits for a token;
	# over the Unix socket it answers 'N' and finds the pipelined bytes.
	[ 'plaintext after GSSENCRequest', $gssreq . $ssh,
		'unencrypted_after_request', $ssh, 8, '', only => 'unix' ],
	[ 'length word too small', pack('N', 1) . "\0\0\0\x13abc",
		'invalid_length', "\0\0\0\x13abc", 4, '' ],
	[ 'partial length word', "\r\r", 'incomplete_packet', '', -1, '',
		half_close => 1 ],
	[ 'short body', pack('N', 100) . "\0\x03\0\0user", 'incomplete_packet',
		'', -1, '', half_close => 1 ],
);

my @transports = ('tcp4', 'unix');
push @transports, 'tcp6' if $ipv6;

for my $via (@transports)
{
	for my $c (@cases)
	{
		my ($name, $bytes, $kind, $raw, $offset, $version, %opts) = @$c;
		my $label = "$name over $via";
		next if $opts{only} && $opts{only} ne $via;
		delete $opts{only};

		$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
		my ($port) = send_probe($node, $bytes, via => $via, %opts);
		my @rows = events_where($node, 'true');

		is(scalar @rows, 1, "$label: one event");
		my $r = $rows[0] // {};
		is($r->{kind}, $kind, "$label: kind");
		is($r->{hex}, hexstr($raw), "$label: raw_bytes");
		is($r->{offset}, length $raw ? $offset : -1, "$label: raw_offset");
		is($r->{version}, $version, "$label: protocol_version");
		if ($via eq 'unix')
		{
			is($r->{addr}, '', "$label: no address");
			is($r->{port}, -1, "$label: no port");
		}
		else
		{
			is($r->{addr}, $via eq 'tcp6' ? '::1' : '127.0.0.1',
				"$label: client_addr");
			is($r->{port}, $port, "$label: client_port");
		}
	}
}
SKIP:
{
	skip 'no IPv6 on this host', 1 if $ipv6;
	pass('IPv6 cases skipped: ::1 is not available');
}

# The escaped text, and PostgreSQL's own message, for the famous case.
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
my ($smbport) = send_probe($node, $probe{SMBProgNeg});
is( $node->safe_psql(
		'postgres',
		"SELECT raw_ascii || ' ' || protocol_version || ' ' || message
		   FROM probe_detect_events WHERE client_port = $smbport"),
	'\xffSMB 65363.19778 unsupported frontend protocol 65363.19778: server supports '
	  . ({ 13 => '2.0 to 3.0', 18 => '3.0 to 3.2', 19 => '3.0 to 3.2' }->{$major} // '3.0 to 3.0'),
	'SMBProgNeg reads as \xffSMB');
is( $node->safe_psql(
		'postgres',
		"SELECT pid <> pg_backend_pid() AND seen_at <= now() AND seen_at > now() - interval '1 minute'
		   AND protocol = 'smb1' AND detail = 'SMB1 header'
		   AND user_name IS NULL AND database_name IS NULL
		   FROM probe_detect_events WHERE client_port = $smbport"),
	't', 'pid, time, and the classifier\'s verdict');

# A user and database from the startup packet are kept (escaped).
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
my $badlayout2 = "user\0bob\0database\0d\x01b\0\0\0";
my ($p2) = send_probe($node, pack('NN', 8 + length $badlayout2, 0x00030000) . $badlayout2);
is( $node->safe_psql(
		'postgres',
		"SELECT kind, user_name, database_name FROM probe_detect_events WHERE client_port = $p2"),
	'invalid_layout|bob|d\x01b', 'names from the startup packet, escaped');

# capture_bytes bounds what is kept: 256 by default.
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
my ($p3) = send_probe($node, 'GET /' . ('a' x 1000) . " HTTP/1.0\r\n\r\n");
is($node->safe_psql('postgres',
		"SELECT length(raw_bytes) FROM probe_detect_events WHERE client_port = $p3"),
	'256', 'payload capped at probe_detect.capture_bytes');

# probe_detect.enabled = off records nothing; on again records.
$node->append_conf('postgresql.conf', 'probe_detect.enabled = off');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('probe_detect.enabled') = 'off'");
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
send_probe($node, $http);
is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'),
	'0', 'nothing recorded while disabled');
$node->append_conf('postgresql.conf', 'probe_detect.enabled = on');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('probe_detect.enabled') = 'on'");
send_probe($node, $http);
is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'),
	'1', 'recording again once re-enabled');

# Split writes: git writes a pkt-line's length and the rest in two writes.
# A rejected length with nothing behind it yet waits up to 20 ms for the
# rest; a client that sent only the four bytes is closed after that wait.
{
	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	my $s = open_probe($node);
	syswrite($s, '0032');
	usleep(3_000);
	syswrite($s, "git-upload-pack /repo\0host=127.0.0.1\0");
	my $sel = IO::Select->new($s);
	$sel->can_read(10) and sysread($s, my $b, 100);
	close $s;
	is($node->safe_psql('postgres', 'SELECT protocol, raw_ascii FROM probe_detect_events'),
		'git|git-upload-pack /repo\x00host=127.0.0.1\x00',
		'split write: the rest, sent 3 ms after the length, is captured');

	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	$s = open_probe($node);
	syswrite($s, "\0\0\0\x01");
	my $t0 = time;
	$sel = IO::Select->new($s);
	ok($sel->can_read(10) && !sysread($s, $b, 100) && time - $t0 < 5,
		'four bytes and nothing more: closed after the short wait');
	close $s;
	is($node->safe_psql('postgres', 'SELECT kind, raw_bytes IS NULL FROM probe_detect_events'),
		'invalid_length|t', 'recorded without bytes');
}

# Real clients never appear.
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
for (1 .. 5)
{
	my ($rc, $out, $err) = psql_conn($node, 'host=127.0.0.1 port=' . $node->port . ' dbname=postgres', 'SELECT 1');
	die "psql over TCP: $err" if $rc != 0;
}
is($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'),
	'0', 'real clients over TCP leave no event');

# And nothing here crashed the server.
ok(!$node->log_contains('terminated by signal|server process .* exited with exit code [2-9]|PANIC'),
	'no crash in the server log');

$node->stop;
done_testing();
