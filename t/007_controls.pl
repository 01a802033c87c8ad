# Operator controls: probe_detect.server_log (original, annotated, off),
# probe_detect.reply (normal, terse, silent), and what nmap can tell.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('controls', conf => "password_encryption = 'scram-sha-256'\n",
	nmap_quiet_port => 1);
my $port = $node->port;
set_hba($node, 'host all all 127.0.0.1/32 scram-sha-256');
my $smb = pack('N', 0xa4) . "\xffSMBr" . ("\0" x 159);
my $http = "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/7.88.1\r\n\r\n";

# The log written since $offset.
sub log_since
{
	my ($offset) = @_;
	return substr(slurp_file($node->logfile), $offset);
}

# server_log = original: PostgreSQL's lines, untouched.
my $off = -s $node->logfile;
my ($p1) = send_probe($node, $smb);
send_probe($node, $http);
my $log = log_since($off);
like($log, qr/FATAL:  unsupported frontend protocol 65363\.19778/, 'original: the FATAL is there');
like($log, qr/LOG:  invalid length of startup packet/, 'original: the LOG line is there');
unlike($log, qr/probe_detect:/, 'original: nothing of ours');

# server_log = annotated: one LOG line of ours instead, in a stable format.
set_conf($node, 'probe_detect.server_log', 'annotated');
$off = -s $node->logfile;
($p1) = send_probe($node, $smb);
my ($p2) = send_probe($node, $http);
$log = log_since($off);
like($log, qr/LOG:  probe_detect: probe from 127\.0\.0\.1:$p1: unsupported_protocol 65363\.19778 "\\xffSMB" smb1\n/,
	'annotated: the SMB probe as one line');
like($log,
	qr{LOG:  probe_detect: probe from 127\.0\.0\.1:$p2: invalid_length "/x HTTP/1\.1\\x0d\\x0aHost: h\\x0d\\x0aUser-Agent: curl/7\.88\.1\\x0d\\x0a\\x0d\\x0a" http \(curl\)\n},
	'annotated: the HTTP probe with protocol and tool');
unlike($log, qr/FATAL|invalid length of startup packet/, 'annotated: no FATAL and no original line');
is($node->safe_psql('postgres', "SELECT count(*) FROM probe_detect_events WHERE client_port IN ($p1, $p2)"),
	'2', 'annotated: both still recorded');

# A double quote in the bytes cannot end the quoted field early.
$off = -s $node->logfile;
my ($p3) = send_probe($node, qq{GET /"x HTTP/1.0\r\n\r\n});
like(log_since($off), qr{probe from 127\.0\.0\.1:$p3: invalid_length "/\\x22x HTTP/1\.0\\x0d\\x0a\\x0d\\x0a" http},
	'annotated: a double quote is escaped');

# A failed login keeps PostgreSQL's line, with the address's verdict.
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'");
set_conf($node, 'probe_detect.guessing_threshold', '2');
$off = -s $node->logfile;
for (1 .. 3)
{
	psql_conn($node, "host=127.0.0.1 port=$port user=alice dbname=postgres password=wrong sslmode=disable", 'SELECT 1');
}
$log = log_since($off);
my @fails = ($log =~ /FATAL:  password authentication failed for user "alice"/g);
is(scalar @fails, 3, 'annotated: failed logins keep PostgreSQL\'s FATAL');
like($log, qr/DETAIL:  probe_detect: 127\.0\.0\.1: password guessing\n\s*Connection matched (?:pg_hba\.conf|file "[^"]*pg_hba\.conf") line \d+: /,
	'annotated: the third failure carries the verdict in its server-only detail');

# enabled = off: nothing recorded, so PostgreSQL's own line stays.
set_conf($node, 'probe_detect.enabled', 'off');
$off = -s $node->logfile;
send_probe($node, $smb);
$log = log_since($off);
like($log, qr/FATAL:  unsupported frontend protocol 65363\.19778/, 'enabled off: PostgreSQL\'s FATAL stays');
unlike($log, qr/probe_detect:/, 'enabled off: no annotated line');
set_conf($node, 'probe_detect.enabled', 'on');

# server_log = off: nothing in the log, everything in the views.
set_conf($node, 'probe_detect.server_log', 'off');
$off = -s $node->logfile;
($p1) = send_probe($node, $smb);
($p2) = send_probe($node, $http);
$log = log_since($off);
unlike($log, qr/unsupported frontend protocol|invalid length|probe_detect:/, 'off: no line at all');
is($node->safe_psql('postgres', "SELECT count(*) FROM probe_detect_events WHERE client_port IN ($p1, $p2)"),
	'2', 'off: both still recorded');
set_conf($node, 'probe_detect.server_log', 'original');

# probe_detect.reply: the ErrorResponse's fields.
sub fields
{
	my ($reply) = @_;
	return '' unless length($reply) > 5 && substr($reply, 0, 1) eq 'E';
	my $body = substr($reply, 5);
	return join('', map { substr($_, 0, 1) } grep { length } split(/\0/, $body));
}
my (undef, $reply) = send_probe($node, $smb);
is(fields($reply), 'SVCMFLR', 'reply normal: severity, code, message, file, line, routine');
set_conf($node, 'probe_detect.reply', 'terse');
(undef, $reply) = send_probe($node, $smb);
is(fields($reply), 'SVCM', 'reply terse: no file, line or routine');
like($reply, qr/unsupported frontend protocol 65363\.19778/, 'reply terse: the message itself');
set_conf($node, 'probe_detect.reply', 'silent');
(undef, $reply) = send_probe($node, $smb);
is($reply, '', 'reply silent: nothing, the connection is closed');
# never for a real client's authentication errors
my ($rc, $out, $err) = psql_conn($node, "host=127.0.0.1 port=$port user=alice dbname=postgres password=wrong sslmode=disable", 'SELECT 1');
like($err, qr/password authentication failed for user "alice"/,
	'reply silent: a failed login still gets its error');

# What nmap -sV can tell under each setting.
SKIP:
{
	skip 'nmap is not installed', 5
	  unless have('nmap');
	my %nmap;
	for my $r ('normal', 'terse', 'silent')
	{
		set_conf($node, 'probe_detect.reply', $r);
		IPC::Run::run([ 'nmap', '-sV', '-Pn', '-n', '-p', $port, '127.0.0.1' ],
			'>', \$nmap{$r}, '2>', \my $e, IPC::Run::timeout(120));
		note "reply $r:\n$nmap{$r}";
	}
	like($nmap{normal}, qr/$port\/tcp\s+open\s+postgresql/, 'nmap, normal: postgresql');
	like($nmap{terse}, qr/$port\/tcp\s+open\s+postgresql/, 'nmap, terse: still postgresql, from the message');
	unlike($nmap{silent}, qr/postgresql/i, 'nmap, silent: cannot tell it is PostgreSQL');

	# Where nmap's database has no exact match for this server's source line
	# it prints the reply as a fingerprint: the file and line are in it
	# only with a normal reply.  (nmap 7.95+ matches 17+ as "9.6.0 or later"
	# and prints none.)
  SKIP:
	{
		skip 'nmap matched a version and printed no fingerprint', 2
		  unless $nmap{normal} =~ /^SF:/m;
		like($nmap{normal}, qr/F(postmaster|backend_startup)\\\.c\\0L\d+/,
			'nmap, normal: it reads the source file and line');
		unlike($nmap{terse}, qr/F(postmaster|backend_startup)|\\0L\d+\\0R/,
			'nmap, terse: no source file or line to read');
	}
}

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
