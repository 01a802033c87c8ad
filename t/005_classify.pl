# The classifier in the server: real clients' captured bytes and nmap's
# probes replayed over raw sockets get the protocol and tool the server can
# know from what it kept, and zgrab2's postgres scan is recognised.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('classify');

# What the server must say about each capture in unit/captures.tsv:
# [protocol, tool]; '' is NULL; undef means no event at all (the
# bytes are a real PostgreSQL request that gets no rejection of ours).
my %expect = (
	curl_http => [ 'http', 'curl' ],
	curl_https => [ 'tls', '' ],
	curl_http2_prior_knowledge => [ 'http2', '' ],
	curl_http_proxy_connect => [ 'http', 'curl' ],
	curl_rtsp => [ 'rtsp', 'curl' ],
	curl_mqtt => [ 'mqtt', 'curl' ],
	curl_socks4 => [ '', '' ],
	curl_socks4a => [ 'socks4', '' ],
	curl_socks5 => [ '', '' ],
	wget_http => [ 'http', 'wget' ],
	python_urllib => [ 'http', 'python-urllib' ],
	git_http_smart => [ 'http', 'git' ],
	ssh_openssh => [ 'ssh', 'openssh' ],
	openssl_tls_sni_alpn => [ 'tls', '' ],
	openssl_starttls_postgres => undef,
	psql_sslmode_disable => [ 'postgres', '' ],    # trusted, but no such role
	psql_sslmode_prefer => undef,
	smbclient_default => [ 'smb2', '' ],
	smbclient_smb2 => [ 'smb2', '' ],
	smbclient_nt1 => [ 'smb1', '' ],
	redis_cli_ping => [ 'redis', '' ],
	ldapsearch_anon => [ 'ldap', '' ],
	ldapsearch_starttls => [ 'ldap', '' ],
	dig_tcp => [ 'dns', '' ],
	mosquitto_pub => [ 'mqtt', '' ],
	kcat_metadata => [ 'kafka', '' ],    # the server keeps the version word only
	amqp_publish => [ 'amqp', '' ],
	xfreerdp_authonly => [ 'rdp', '' ],
	rdesktop => [ 'rdp', '' ],
	telnet_port23 => [ 'telnet', '' ],
	telnet_forced_negotiation => [ 'telnet', '' ],
	git_daemon => [ 'git', '' ],
	rsync_daemon => [ 'rsync', 'rsync' ],
	kinit_tcp => [ 'kerberos', '' ],
	memcstat => [ 'memcached', '' ],
	memcstat_binary => [ '', '' ],
	tsql_mssql => [ 'mssql', '' ],
	distcc => [ 'distcc', '' ],
	ii_irc => [ 'irc', '' ],
	x11_xdpyinfo => [ '', '' ],
	kafka_python => [ 'kafka', '' ],
	mbpoll_modbus => [ 'modbus', '' ],
	echoscu_dicom => [ 'dicom', '' ],
	impacket_epm_bind => [ 'dcerpc', '' ],
	pyzmq_req => [ 'zeromq', '' ],
	curl_https_sni => [ 'tls', '' ],
	python_urllib_https => [ 'tls', '' ],
	python_ssl_sni => [ 'tls', '' ],
	python_upstream_urllib_https => [ 'tls', 'python-ssl' ],
	go_tls_sni => [ 'tls', 'go-tls' ],
	go_tls_ip => [ 'tls', 'go-tls' ],);

open(my $fh, '<', "$FindBin::RealBin/../unit/captures.tsv") or die $!;
my $replayed = 0;
while (my $line = <$fh>)
{
	next if $line =~ /^#|^name\t/;
	chomp $line;
	my ($name, undef, undef, undef, $hex) = split /\t/, $line;
	die "no expectation for capture $name" unless exists $expect{$name};
	my $e = $expect{$name};

	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	send_probe($node, pack('H*', $hex), timeout => 2);
	my $rows = $node->safe_psql('postgres',
		"SELECT coalesce(protocol, ''), coalesce(tool, ''), coalesce(detail, '')
		   FROM probe_detect_events");
	$replayed++;
	if (!defined $e)
	{
		is($rows, '', "$name: a real PostgreSQL request, no event");
		next;
	}
	my ($protocol, $tool, $detail) = split /\|/, $rows, 3;
	is($protocol, $e->[0], "$name: protocol");
	is($tool, $e->[1], $e->[1] eq '' ? "$name: no tool" : "$name: tool");
	unlike($detail // '', qr/[^\x20-\x7e]/, "$name: detail is printable");
}
close $fh;
cmp_ok($replayed, '>=', 40, "replayed $replayed captures");

# nmap's probes, read from the installed nmap: each one the server keeps
# enough of is named after the exact probe.
SKIP:
{
	my $count = 0;
	open(my $nf, '<', '/usr/share/nmap/nmap-service-probes')
	  or skip 'nmap is not installed', 1;
	my @probes;
	while (my $l = <$nf>)
	{
		push @probes, [ $1, nmap_unescape($2) ] if $l =~ /^Probe TCP (\S+) q\|(.*)\|/;
	}
	close $nf;
	for my $p (@probes)
	{
		my ($name, $bytes) = @$p;
		my $len = unpack('N', substr($bytes . "\0\0\0\0", 0, 4));
		# the server keeps the bytes only when it rejects the length word
		next if length($bytes) < 12 || ($len >= 8 && $len <= 10004);
		next if $name eq 'X11Probe';
		$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
		send_probe($node, $bytes, timeout => 2);
		my $tool = $node->safe_psql('postgres',
			"SELECT string_agg(coalesce(tool, '-'), ',') FROM probe_detect_events");
		$count++ if $tool eq "nmap -sV $name";
		is($tool, "nmap -sV $name", "nmap probe $name named");
	}
	cmp_ok($count, '>=', 40, "$count nmap probes named by their bytes");
}

# zgrab2's postgres module (modules/postgres/scanner.go), step by step:
# SSLRequest then protocol 0.0 on the same connection, then 255.255, then a
# start-up packet without a user.
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
my $ssl = pack('NN', 8, 80877103);
my (undef, $answer) = send_probe($node, $ssl, then => pack('NN', 8, 0));
like($answer, qr/^N/, 'zgrab2 step 1: the server declines SSL');
send_probe($node, pack('NN', 8, 0x00ff00ff));
my $kv = "client_encoding\0UTF8\0datestyle\0ISO, MDY\0\0";
send_probe($node, pack('NN', 8 + length $kv, 0x00030000) . $kv);
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(kind || ' ' || coalesce(protocol_version, '-') || ' ' || protocol || ' ' || tool, ',' ORDER BY event_id)
		   FROM probe_detect_events"),
	'unsupported_protocol 0.0 postgres zgrab2 postgres,'
	  . 'unsupported_protocol 255.255 postgres zgrab2 postgres,'
	  . 'missing_user - postgres zgrab2 postgres',
	'zgrab2: every step named, including 0.0 which its bytes alone could not');
is( $node->safe_psql(
		'postgres',
		"SELECT client_addr, events, kinds, protocols, tools, verdict,
		        first_seen <= last_seen
		   FROM probe_detect_sources"),
	'127.0.0.1|3|{missing_user,unsupported_protocol}|{postgres}|{"zgrab2 postgres"}|zgrab2 postgres scan|t',
	'probe_detect_sources: one address, the zgrab2 verdict');

# One SMB client alone is no scan, and names no tool.
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
send_probe($node, pack('N', 0x3e) . "\xffSMBr" . ("\0" x 57));
is($node->safe_psql('postgres',
		"SELECT protocol, coalesce(tool, ''), coalesce(verdict, '') FROM probe_detect_events, probe_detect_sources"),
	'smb1||', 'an SMB client alone: smb1, no tool, no verdict');

# The sources view has the events view's privileges.
$node->safe_psql('postgres', 'CREATE ROLE regress_peek LOGIN');
my ($rc, $out, $err) = $node->psql('postgres', 'SELECT * FROM probe_detect_sources',
	extra_params => [ '-U', 'regress_peek' ]);
like($err, qr/permission denied for view probe_detect_sources/,
	'PUBLIC cannot read probe_detect_sources');

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
