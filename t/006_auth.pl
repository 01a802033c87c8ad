# Failed logins and pg_hba.conf rejections, with their addresses, and the
# password-guessing verdict: every count exact.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

my $node = probe_node('auth', conf => "password_encryption = 'scram-sha-256'\n",
	nmap_quiet_port => 1);
my $port = $node->port;

$node->safe_psql(
	'postgres', q{
CREATE ROLE alice LOGIN PASSWORD 'alicepw';
SET password_encryption = 'md5';
CREATE ROLE md5user LOGIN PASSWORD 'md5pw';
RESET password_encryption;
CREATE ROLE trusted LOGIN;
CREATE DATABASE testdb;
});
# Our own pg_hba.conf; the Unix socket stays trusted for the test's queries
{
	my $file = $node->data_dir . '/pg_hba.conf';
	open(my $fh, '>', $file) or die;
	print $fh <<'HBA';
local all all trust
host rejectdb all 127.0.0.1/32 reject
host all md5user 127.0.0.1/32 md5
host all trusted 127.0.0.1/32 trust
host all ghost 127.0.0.1/32 trust
host postgres,testdb,md5user,alice all 127.0.0.1/32 scram-sha-256
HBA
	close $fh;
}
$node->reload;

# Try to log in over TCP; returns psql's exit code.
sub login
{
	my ($n, %c) = @_;
	my $connstr = "host=127.0.0.1 port=" . $n->port
	  . " user=$c{user} dbname=" . ($c{db} // 'postgres')
	  . " sslmode=" . ($c{sslmode} // 'disable')
	  . (defined $c{password} ? " password=$c{password}" : '')
	  . (defined $c{app} ? " application_name=$c{app}" : '')
	  . ($c{extra} // '');
	my ($rc) = psql_conn($n, $connstr, 'SELECT 1');
	return $rc;
}

$node->safe_psql('postgres', 'CREATE EXTENSION IF NOT EXISTS probe_detect');
q1($node, 'SELECT probe_detect_reset()');

ok(login($node, user => 'alice', password => 'wrong', app => 'guess') != 0, 'wrong SCRAM password refused') for 1 .. 3;
ok(login($node, user => 'md5user', password => 'nope', db => 'md5user') != 0, 'wrong md5 password refused') for 1 .. 2;
is(login($node, user => 'alice', password => 'alicepw'), 0, 'right password accepted');
ok(login($node, user => 'nobody', password => 'x') != 0, 'unknown role over SCRAM refused');
ok(login($node, user => 'ghost') != 0, 'trusted but nonexistent role refused');
ok(login($node, user => 'trusted', db => 'nosuchdb') != 0, 'nonexistent database refused');
ok(login($node, user => 'alice', db => 'rejectdb', password => 'alicepw') != 0, 'reject line');
ok(login($node, user => 'alice', db => 'otherdb', password => 'alicepw') != 0, 'no pg_hba.conf line');
ok(login($node, user => 'alice') != 0, 'no password at hand: the client gives up');

is( q1($node,
		"SELECT string_agg(kind || ' ' || coalesce(user_name, '-') || ' ' || coalesce(database_name, '-'), ',' ORDER BY event_id)
		   FROM probe_detect_events"),
	join(',',
		('auth_failed alice postgres') x 3,
		('auth_failed md5user md5user') x 2,
		'auth_failed nobody postgres',
		'unknown_role ghost postgres',
		'unknown_database trusted nosuchdb',
		'hba_rejected alice rejectdb',
		'hba_rejected alice otherdb',
		'auth_abandoned alice postgres'),
	'one event per attempt, each with its kind, user and database');

like(q1($node, "SELECT detail FROM probe_detect_events WHERE kind = 'auth_failed' ORDER BY event_id LIMIT 1"),
	qr/^method=scram-sha-256 ssl=off hba_line=6 application_name=guess$/,
	'auth_failed detail: method, TLS, pg_hba.conf line, application_name');
like(q1($node, "SELECT detail FROM probe_detect_events WHERE kind = 'auth_failed' AND user_name = 'md5user' LIMIT 1"),
	qr/^method=md5 /, 'md5 failures say md5');
is( q1($node,
		"SELECT count(*) FILTER (WHERE client_addr = '127.0.0.1' AND client_port > 0 AND protocol = 'postgres'),
		        count(*) FILTER (WHERE message LIKE '%pg_hba.conf%'),
		        count(*) FILTER (WHERE message = 'role \"ghost\" does not exist')
		   FROM probe_detect_events"),
	'11|2|1', 'addresses, ports and PostgreSQL\'s own messages');

is( q1($node,
		"SELECT events, auth_failures, auth_abandoned, hba_rejections, users_tried, coalesce(verdict, '-')
		   FROM probe_detect_sources WHERE client_addr = '127.0.0.1'"),
	'11|6|1|2|{alice,ghost,md5user,nobody,trusted}|-',
	'per source: 6 failures, 1 abandoned, 2 rejections, and below the threshold');

# Lower the threshold: now it is password guessing.
$node->append_conf('postgresql.conf', 'probe_detect.guessing_threshold = 5');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('probe_detect.guessing_threshold') = '5'");
is(q1($node, "SELECT verdict FROM probe_detect_sources WHERE client_addr = '127.0.0.1'"),
	'password guessing', 'more than 5 failures in the window: password guessing');
# ... but the failures must fall within the window: six failures in two
# bursts 2.5 s apart are guessing with a 10 s window, not with a 2 s one.
q1($node, 'SELECT probe_detect_reset()');
login($node, user => 'alice', password => "w$_") for 1 .. 3;
sleep 2.5;
login($node, user => 'alice', password => "w$_") for 4 .. 6;
for my $w ([ '10s', 'password guessing' ], [ '2s', '-' ])
{
	$node->append_conf('postgresql.conf', "probe_detect.guessing_window = $w->[0]");
	$node->reload;
	$node->poll_query_until('postgres', "SELECT current_setting('probe_detect.guessing_window') = '$w->[0]'");
	is(q1($node, "SELECT auth_failures, coalesce(verdict, '-') FROM probe_detect_sources"),
		"6|$w->[1]", "two bursts of three, window $w->[0]: $w->[1]");
}

# Names are attacker-controlled: a raw start-up packet with control bytes
# and a UTF-8 name, which then hangs up at the password prompt.
q1($node, 'SELECT probe_detect_reset()');
for my $user ("ev\x01l\\er\x7f", "jos\xc3\xa9")
{
	my $body = "user\0$user\0database\0postgres\0\0";
	send_probe($node, pack('NN', 8 + length $body, 0x00030000) . $body, timeout => 2);
}
is(q1($node, "SELECT string_agg(kind || ' ' || user_name, ',' ORDER BY event_id) FROM probe_detect_events"),
	'auth_abandoned ev\x01l\\\\er\x7f,auth_abandoned josé',
	'names are stored printable and valid: control bytes escaped, UTF-8 kept');

# libpq's sslmode=prefer retries a failed password without TLS: one
# attempt, two rows, marked.
my $ssl = probe_node('authssl', conf => "password_encryption = 'scram-sha-256'\n");
my $dir = $ssl->data_dir;
server_cert($ssl);
$ssl->append_conf('postgresql.conf', "ssl = on\nssl_ca_file = 'server.crt'\n");
{
	open(my $fh, '>', "$dir/pg_hba.conf") or die;
	print $fh <<'HBA';
local all all trust
hostssl all certuser 127.0.0.1/32 scram-sha-256 clientcert=verify-ca
host all all 127.0.0.1/32 scram-sha-256
HBA
	close $fh;
}
$ssl->restart;
$ssl->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'; CREATE ROLE certuser LOGIN PASSWORD 'c'");
$ssl->safe_psql('postgres', 'SELECT probe_detect_reset()');
ok(login($ssl, user => 'alice', password => 'wrong', sslmode => 'prefer') != 0,
	'sslmode=prefer: wrong password refused');
is( $ssl->safe_psql(
		'postgres',
		"SELECT string_agg(kind || ' ' || (detail LIKE 'method=scram-sha-256 ssl=' || CASE WHEN event_id = (SELECT min(event_id) FROM probe_detect_events) THEN 'on' ELSE 'off' END || '%')::text, ',' ORDER BY event_id)
		   FROM probe_detect_events"),
	'auth_failed true,auth_failed true', 'two rows: over TLS, then in plaintext');
like($ssl->safe_psql('postgres', "SELECT string_agg(detail, ' | ' ORDER BY event_id) FROM probe_detect_events"),
	qr/retried without TLS as event \d+ \| .*sslmode=prefer retry of event \d+$/,
	'both rows say they are one attempt');
is($ssl->safe_psql('postgres', 'SELECT auth_failures FROM probe_detect_sources'),
	'1', 'counted as one failed attempt');

# A client certificate is required and none is sent.
$ssl->safe_psql('postgres', 'SELECT probe_detect_reset()');
ok(login($ssl, user => 'certuser', password => 'c', sslmode => 'require') != 0,
	'no client certificate: refused');
is( $ssl->safe_psql(
		'postgres',
		"SELECT kind, user_name, message, hba_rejections FROM probe_detect_events, probe_detect_sources"),
	'cert_rejected|certuser|connection requires a valid client certificate|1',
	'cert_rejected, counted with the pg_hba.conf rejections');
$ssl->stop;

# nmap's pgsql-brute, where nmap is installed.
SKIP:
{
	skip 'nmap is not installed', 4
	  unless have('nmap');
	my $lists = $node->basedir;
	open(my $u, '>', "$lists/users.lst") or die;
	print $u "md5user\nalice\n";
	close $u;
	open(my $p, '>', "$lists/pass.lst") or die;
	print $p "wrongpw\nmd5pw\n";
	close $p;
	q1($node, 'SELECT probe_detect_reset()');
	IPC::Run::run([ 'nmap', '-sV', '-Pn', '-n', '-p', $port, '--script', 'pgsql-brute',
		'--script-args', "userdb=$lists/users.lst,passdb=$lists/pass.lst,brute.firstonly=false",
		'127.0.0.1' ], '>', \my $out, '2>', \my $err, IPC::Run::timeout(120));
	note $out;
	# nmap 7.80 (bullseye) tries alice once at SCRAM; 7.93, 7.95 and 7.991 twice
	my ($nmapv) = $out =~ /Nmap (\d+\.\d+)/;
	my $abandons = defined $nmapv && $nmapv < 7.93 ? 1 : 2;
	is( q1($node,
			"SELECT count(*) FILTER (WHERE kind = 'auth_failed' AND user_name = 'md5user'),
			        count(*) FILTER (WHERE kind = 'unknown_database' AND user_name = 'md5user'),
			        count(*) FILTER (WHERE kind = 'auth_abandoned' AND user_name = 'alice')
			   FROM probe_detect_events"),
		"1|1|$abandons",
		'pgsql-brute: md5user wrong then right (its database does not exist), alice abandoned at SCRAM');
	# its first connection asks for user and database "versionprobe"
	is( q1($node,
			"SELECT string_agg(kind || ' ' || user_name || ' ' || database_name, ', ' ORDER BY event_id)
			   FROM probe_detect_events WHERE protocol = 'postgres'"),
		'hba_rejected versionprobe versionprobe, auth_failed md5user md5user, '
		  . 'unknown_database md5user md5user'
		  . (', auth_abandoned alice alice' x $abandons),
		'pgsql-brute: the whole sequence');
	is(q1($node, "SELECT tool FROM probe_detect_events WHERE user_name = 'versionprobe'"),
		'nmap NSE', 'pgsql-brute: its version probe names nmap');
	is(q1($node, "SELECT auth_failures, auth_abandoned FROM probe_detect_sources"),
		"1|$abandons", 'pgsql-brute: per-source counts');
}

# application_name is the client's: one word in the detail, last, so that it
# cannot add a key of its own (a forged " ja4=").
q1($node, 'SELECT probe_detect_reset()');
login($node, user => 'alice', password => 'wrong', app => "'x ja4=t13d1516h2_8daaf6152771_e5627efa2ab1 sni=bank'");
like(q1($node, "SELECT detail FROM probe_detect_events WHERE kind = 'auth_failed'"),
	qr/^method=scram-sha-256 ssl=off hba_line=6 application_name=x\\x20ja4=t13d1516h2_8daaf6152771_e5627efa2ab1\\x20sni=bank$/,
	'application_name with spaces: one escaped word, no key of its own');

ok(!$node->log_contains('terminated by signal|exited with exit code [2-9]|PANIC'),
	'no crash in the server log');
$node->stop;
done_testing();
