# Real clients against a preloaded server, where they are installed:
# nmap -sV leaves its SMB probe decoded as \xffSMB; curl and ssh leave
# their first bytes.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('tools', nmap_quiet_port => 1);
my $port = $node->port;

# Run a command with a hard time limit; returns its stdout.
sub run_tool
{
	my ($seconds, @cmd) = @_;
	my ($out, $err) = ('', '');
	eval {
		IPC::Run::run(\@cmd, '<', \undef, '>', \$out, '2>', \$err,
			IPC::Run::timeout($seconds));
	};
	note "@cmd: " . ($@ ? "timed out or failed: $@" : 'done');
	return $out;
}

SKIP:
{
	skip 'nmap is not installed', 9 unless have('nmap');
	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	my $out = run_tool(120, 'nmap', '-sV', '-Pn', '-n', '-p', $port, '127.0.0.1');
	note $out;
	like($out, qr/$port\/tcp\s+open/, 'nmap found the port open');

	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM probe_detect_events
			  WHERE kind = 'unsupported_protocol' AND raw_ascii = '\\xffSMB'
			    AND protocol_version = '65363.19778' AND client_addr = '127.0.0.1'"),
		'1', 'nmap -sV: SMBProgNeg decoded as \xffSMB');
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM probe_detect_events
			  WHERE kind = 'invalid_length' AND raw_ascii = '/ HTTP/1.0\\x0d\\x0a\\x0d\\x0a'"),
		'1', 'nmap -sV: GetRequest seen as "GET " + the rest');
	# GenericLines is exactly "\r\n\r\n": all four bytes were the length word
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM probe_detect_events
			  WHERE kind = 'invalid_length' AND raw_bytes IS NULL"),
		'1', 'nmap -sV: GenericLines leaves an event without payload');
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM probe_detect_events
			  WHERE kind = 'unsupported_protocol' AND protocol_version = '27265.28208'"),
		'1', 'nmap -sV: Kerberos probe');
	cmp_ok($node->safe_psql('postgres', 'SELECT events_total FROM probe_detect_stats'),
		'>=', 4, 'nmap -sV: at least four probes recorded');

	# the scan is recognised, and names the probes its bytes could not
	is( $node->safe_psql(
			'postgres',
			"SELECT verdict, 'http' = ANY (protocols), 'smb1' = ANY (protocols),
			        'nmap -sV SMBProgNeg' = ANY (tools), 'nmap -sV GetRequest' = ANY (tools)
			   FROM probe_detect_sources WHERE client_addr = '127.0.0.1'"),
		'nmap -sV service scan|t|t|t|t',
		'nmap -sV: verdict, protocols and tools for 127.0.0.1');
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(DISTINCT coalesce(tool, '-'), ',')
			   FROM probe_detect_events
			  WHERE raw_ascii = '\\xffSMB' OR raw_bytes IS NULL"),
		'nmap -sV GenericLines,nmap -sV SMBProgNeg',
		'nmap -sV: GenericLines and SMBProgNeg named by the scan verdict');
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM probe_detect_events WHERE tool IS NULL"),
		'0', 'nmap -sV: every event of the scan names nmap');
}

SKIP:
{
	skip 'curl is not installed', 2 unless have('curl');
	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	run_tool(20, 'curl', '-s', '-m', '5', "http://127.0.0.1:$port/probe?x=1");
	like(
		$node->safe_psql(
			'postgres',
			"SELECT raw_ascii FROM probe_detect_events WHERE kind = 'invalid_length'"),
		qr{^/probe\?x=1 HTTP/1\.1\\x0d\\x0aHost: 127\.0\.0\.1:$port\\x0d\\x0aUser-Agent: curl/},
		'curl: request line, Host and User-Agent captured');
	like(
		$node->safe_psql(
			'postgres',
			"SELECT protocol || ' ' || tool || ' ' || detail FROM probe_detect_events"),
		qr{^http curl GET\|PUT /probe\?x=1 HTTP/1\.1; Host: 127\.0\.0\.1:$port; User-Agent: curl/},
		'curl: classified as http, tool and detail');
}

SKIP:
{
	skip 'ssh is not installed', 2 unless have('ssh');
	$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
	run_tool(20, 'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5',
		'-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
		'-p', $port, 'nobody@127.0.0.1', 'true');
	like(
		$node->safe_psql(
			'postgres',
			"SELECT raw_ascii FROM probe_detect_events WHERE kind = 'invalid_length'"),
		qr{^2\.0-OpenSSH_},
		'ssh: client banner captured');
	like(
		$node->safe_psql(
			'postgres',
			"SELECT protocol || ' ' || tool || ' ' || detail FROM probe_detect_events"),
		qr{^ssh openssh SSH-2\.0-OpenSSH_},
		'ssh: classified as ssh, tool from the banner');
}

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
