# The ban feed (probe_detect.ban_feed) against an attacker who names other
# addresses: user, database and application names with forged
# "probe_detect:" text, whole forged lines after newlines, and ANSI escapes,
# over TCP, under the stderr log (Debian's prefix with %u, %d and %a),
# csvlog and jsonlog.  The forged text reaches the server log; the feed has
# only what the server knows, and a real fail2ban-server reading it with the
# shipped filter bans exactly the prober and the guesser.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use File::Copy qw(move);
use IPC::Run ();
use POSIX qw(strftime);
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(usleep);

my $contrib = "$FindBin::RealBin/../contrib";
my $major = pg_major();
# short: fail2ban's socket lives here too (108 bytes at most)
my $dir = PostgreSQL::Test::Utils::tempdir_short();
my $feed = "$dir/probe_detect.ban";

my $node = probe_node('feed',
	conf => "probe_detect.ban_feed = '$feed'\n"
	  . "probe_detect.server_log = annotated\n"
	  . "probe_detect.guessing_threshold = 20\n"
	  . "logging_collector = on\nlog_directory = 'log'\nlog_filename = 'server.log'\n"
	  . "log_line_prefix = '%m [%p] %q%u\@%d %a '\n");
set_hba($node, 'host all all 127.0.0.0/8 password',
	'host all all ::1/128 password');
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'");

ok(-f $feed, 'the feed file exists from the start (checked when set)');
is(sprintf('%04o', (stat $feed)[2] & 07777), '0600', 'with log_file_mode');

# fail2ban-server as this user, all in $dir, with the shipped filter and a
# jail like the shipped one whose action writes the banned address down.
my ($f2b, $banned) = (undef, "$dir/banned.txt");
my @f2b = ('-c', "$dir/f2b", '-s', "$dir/f2b.sock");
SKIP:
{
	skip 'fail2ban is not installed', 1 unless have('fail2ban-server');
	mkdir "$dir/f2b";
	mkdir "$dir/f2b/$_" for qw(filter.d action.d);
	File::Copy::copy("$contrib/fail2ban/filter.d/probe-detect.conf",
		"$dir/f2b/filter.d/probe-detect.conf") or die;
	my %files = (
		'fail2ban.local' => "[Definition]\nloglevel = INFO\nlogtarget = $dir/f2b.log\n"
		  . "socket = $dir/f2b.sock\npidfile = $dir/f2b.pid\ndbfile = :memory:\nallowipv6 = auto\n",
		# loopback must be bannable here: ignoreself would spare 127.0.0.1
		'jail.local' => "[DEFAULT]\nignoreself = false\nignoreip =\nusedns = no\n"
		  . "backend = polling\n\n"
		  . "[probe-detect]\nenabled = true\nfilter = probe-detect\nlogpath = $feed\n"
		  . "maxretry = 2\nfindtime = 600\nbantime = 3600\n"
		  . "action = record[banfile=\"$banned\"]\n",
		'action.d/record.conf' => "[Definition]\nactionstart =\nactionstop =\nactioncheck =\n"
		  . "actionban = printf '%%s\\n' '<ip>' >> '<banfile>'\nactionunban =\n\n"
		  . "[Init]\nbanfile = /dev/null\n");
	for my $f (keys %files)
	{
		open(my $fh, '>', "$dir/f2b/$f") or die;
		print $fh $files{$f};
		close $fh;
	}
	my ($o, $e) = ('', '');
	ok(IPC::Run::run([ 'fail2ban-server', @f2b, '-p', "$dir/f2b.pid", '-x', '-b' ],
			'>', \$o, '2>', \$e, IPC::Run::timeout(60)),
		'fail2ban-server started') or diag "$o$e";
	for (1 .. 100)
	{
		last if IPC::Run::run([ 'fail2ban-client', @f2b, 'status', 'probe-detect' ],
			'>', \my $so, '2>', \my $se);
		usleep(100_000);
	}
	$f2b = 1;
}

# Text that would credit someone else if a filter trusted log lines: forged
# annotated lines, forged feed records (with a current time), and an ANSI
# escape that rewrites the terminal line, each within a name's 63 bytes.
my $now = strftime('%Y-%m-%dT%H:%M:%S.000000Z', gmtime);
my $pg_now = strftime('%Y-%m-%d %H:%M:%S.000 UTC', gmtime);
my @forged = (
	[ 'probe_detect: probe from 6.6.6.6:1: x', 'probe_detect: probe from 6.6.6.6:2: x',
		'probe_detect: probe from 6.6.6.6:3: x' ],
	[ "x\n$now probe_detect[1]: probe 7.7.7.7 kind=", "y\n$now probe_detect[1]: probe 7.7.7.7",
		'invalid_length protocol=http' ],
	[ "z\n$pg_now [1] LOG:  probe_detect: probe from 8.8.8.8",
		"\n$pg_now [1] LOG:  probe_detect: 8.8.8.8: password guessing", 'p' ],
	[ "\e[2K\r$now probe_detect[1]: guessing 9.9.9.9 kind=x",
		"\e[1A\e[2K\r$now probe_detect[1]: probe 9.9.9.9", "\e[2Kprobe 9.9.9.9" ],
);
my $smb = pack('N', 0xa4) . "\xffSMBr" . ("\0" x 159);

my @formats = ('stderr', 'csvlog', $major >= 15 ? ('jsonlog') : ());
for my $fmt (@formats)
{
	set_conf($node, 'log_destination', $fmt);
	# the attacker: failed logins whose names carry the forged text
	for my $f (@forged)
	{
		my $r = login_from($node, '127.0.0.2', $f->[0], 'wrong',
			database => $f->[1], application_name => $f->[2]);
		like($r, qr/password authentication failed/, "$fmt: a hostile login fails");
	}
	# the prober: real probes, one with a forged database name
	send_probe($node, $smb, from => '127.0.0.3');
	send_probe($node, "GET / HTTP/1.0\r\n\r\n", from => '127.0.0.3');
	my $body = "database\0x\n$now probe_detect[1]: probe 7.7.7.7\0\0";
	send_probe($node, pack('NN', 8 + length $body, 0x00030000) . $body, from => '127.0.0.3');
}
# a guesser (22 wrong passwords, over the threshold of 20), a user who gets
# in, and the Unix socket (no address: never in the feed)
login_from($node, '127.0.0.4', 'alice', "guess$_") for 1 .. 22;
is(login_from($node, '127.0.0.5', 'alice', 'alicepw'), 'ok', "a good login: $_") for 1 .. 3;
send_probe($node, "GET / HTTP/1.0\r\n\r\n", via => 'unix');
send_probe($node, "GET / HTTP/1.0\r\n\r\n", via => 'tcp6') if have_ipv6();

# The attack reached the server log: each format carries a forged name.
my %logs = (stderr => 'server.log', csvlog => 'server.csv', jsonlog => 'server.json');
for my $fmt (@formats)
{
	my $text = slurp_file($node->data_dir . "/log/$logs{$fmt}");
	like($text, qr/probe 7\.7\.7\.7/, "$fmt: the forged text is in the server log");
}

# The feed: one strict line per event, only the real addresses.
my @lines = split /\n/, slurp_file($feed);
my %by;
my $bad = 0;
for my $l (@lines)
{
	if ($l =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z probe_detect\[\d+\]: (probe|guessing|failure|refused) (\S+) kind=([a-z_]+) protocol=([a-z0-9-]+)$/)
	{
		$by{"$2 $1"}++;
	}
	else
	{
		$bad++;
		diag "unexpected feed line: $l";
	}
}
is($bad, 0, 'every feed line has the strict format');
{
	use Time::Local qw(timegm);
	my ($y, $mo, $d, $h, $mi, $s) = $lines[-1] =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/;
	my $t = timegm($s, $mi, $h, $d, $mo - 1, $y);
	ok(abs($t - time) < 120, 'the feed\'s time is UTC, now') or diag "$lines[-1] vs " . gmtime;
}
my $n = scalar @formats;
my %want = (
	'127.0.0.2 failure' => 4 * $n,
	'127.0.0.3 probe' => 3 * $n,
	'127.0.0.4 failure' => 20,
	'127.0.0.4 guessing' => 2,
	(have_ipv6() ? ('::1 probe' => 1) : ()));
is_deeply(\%by, \%want, 'the feed credits the attacker, the prober and the guesser, nobody else')
  or diag explain \%by;
unlike(join("\n", @lines), qr/[6789]\.[6789]\.[6789]\.[6789]/, 'no forged address in the feed');

# its counters agree
my %c = map { my ($l, $v) = split /\|/; ($l => $v) } split /\n/,
  $node->safe_psql('postgres',
	"SELECT label, value FROM probe_detect_counters WHERE counter = 'ban_feed_records'");
is_deeply([ @c{qw(probe guessing failure refused)} ],
	[ 3 * $n + (have_ipv6() ? 1 : 0), 2, 4 * $n + 20, 0 ], 'ban_feed_records by verdict');
is($node->safe_psql('postgres',
		"SELECT value FROM probe_detect_counters WHERE counter = 'ban_feed_errors'"),
	'0', 'no feed errors');

sub banned
{
	return () unless -f $banned;
	my %s = map { $_ => 1 } split /\n/, slurp_file($banned);
	return sort keys %s;
}

sub wait_banned
{
	my ($addr) = @_;
	for (1 .. 150)
	{
		return 1 if grep { $_ eq $addr } banned();
		usleep(100_000);
	}
	return 0;
}

SKIP:
{
	skip 'fail2ban is not installed', 4 unless $f2b;
	ok(wait_banned('127.0.0.3') && wait_banned('127.0.0.4'), 'fail2ban banned the prober and the guesser');
	# the feed's last records have been read: nothing else is coming
	sleep 2;
	is_deeply([ banned() ], [ '127.0.0.3', '127.0.0.4' ], 'fail2ban banned nobody else')
	  or diag explain [ banned() ];

	# Rotation: the file is renamed away; the next record makes a new one,
	# which fail2ban follows.
	move($feed, "$feed.1") or die;
	send_probe($node, $smb, from => '127.0.0.6');
	send_probe($node, $smb, from => '127.0.0.6');
	ok(-f $feed && ((stat $feed)[2] & 07777) == 0600, 'a new feed file after rotation, with log_file_mode');
	ok(wait_banned('127.0.0.6'), 'fail2ban follows the rotated feed');
	IPC::Run::run([ 'fail2ban-client', @f2b, 'stop' ], '>', \my $so, '2>', \my $se);
}

# A feed that cannot be opened is refused, with the reason: by ALTER
# SYSTEM, and at a reload, where the old file stays in use.
my ($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET probe_detect.ban_feed = '$dir/no/such/dir/x.ban'");
like($err, qr/could not open ban feed file "\Q$dir\E\/no\/such\/dir\/x\.ban": No such file or directory/,
	'ALTER SYSTEM refuses an unusable path');
$node->append_conf('postgresql.conf', "probe_detect.ban_feed = '$dir/no/such/dir/x.ban'");
$node->reload;
usleep(500_000);
is($node->safe_psql('postgres', 'SHOW probe_detect.ban_feed'), $feed, 'so does a reload');
my $json = $major >= 15 ? slurp_file($node->data_dir . '/log/server.json') : '';
my $csv = slurp_file($node->data_dir . '/log/server.csv');
my $q = qr/(?:\\"|""|")/;	# a quote as jsonlog, csvlog or stderr write it
like($json . $csv, qr/could not open ban feed file $q\Q$dir\E\/no\/such\/dir\/x\.ban$q: No such file or directory/,
	'with the reason in the log');
$node->stop;
done_testing();
