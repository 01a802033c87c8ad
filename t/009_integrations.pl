# The monitoring integration people already run, with the real tool: the
# prometheus-postgres-exporter queries in contrib/, scraped from a real
# exporter.  Counters survive the ring wrapping, and no client can add a
# series: 1,000 probes with random User-Agents and SSH banners leave the
# set of probe_detect series as it was.  (The fail2ban integration is
# t/016_ban_feed.pl.)
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use HTTP::Tiny;
use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(usleep);

plan skip_all => 'prometheus-postgres-exporter is not installed'
  unless have('prometheus-postgres-exporter');

my $contrib = "$FindBin::RealBin/../contrib";
# a small ring, so that the traffic below wraps it many times
my $node = probe_node('integrations',
	conf => "probe_detect.max_events = 100\nprobe_detect.guessing_threshold = 2\n"
	  . "password_encryption = 'scram-sha-256'\n");
my $port = $node->port;
set_hba($node, 'host all all 127.0.0.1/32 scram-sha-256');
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'");

my $web = PostgreSQL::Test::Cluster::get_free_port();
local $ENV{DATA_SOURCE_NAME} =
  'host=' . $node->host . " port=$port user=" . getpwuid($<) . ' dbname=postgres sslmode=disable';
my $h = IPC::Run::start(
	[ 'prometheus-postgres-exporter',
		"--web.listen-address=127.0.0.1:$web",
		"--extend.query-path=$contrib/prometheus/probe_detect_queries.yaml",
		'--disable-default-metrics', '--disable-settings-metrics' ],
	'>', \my $eout, '2>', \my $eerr);

# One scrape: the probe_detect samples, as { "name{labels}" => value }.
sub scrape
{
	my $metrics = '';
	for (1 .. 100)
	{
		my $r = HTTP::Tiny->new(timeout => 5)->get("http://127.0.0.1:$web/metrics");
		$metrics = $r->{content} if $r->{success};
		last if $metrics =~ /^probe_detect_ring_events_total/m;
		usleep(100_000);
	}
	my %s;
	for (split /\n/, $metrics)
	{
		# the exporter adds a server="..." label of its own
		next unless /^(probe_detect_\S+) (\S+)$/;
		my ($k, $v) = ($1, $2);
		$k =~ s/,?server="[^"]*"//;
		$k =~ s/\{\}$//;
		$s{$k} = $v;
	}
	return \%s;
}

my $before = scrape();
note join("\n", map { "$_ $before->{$_}" } sort keys %$before);
ok(scalar(keys %$before) > 100, 'a fixed set of series, zeros included: ' . scalar(keys %$before));
is($before->{'probe_detect_ring_ring_size'}, 100, 'ring: its size');
is($before->{'probe_detect_events_total{kind="invalid_length"}'}, 0, 'a kind with no event yet is a series');

# Traffic: probes with random agents and banners, a few more kinds, and
# wrong passwords (guessing from the third).
my @c = ('a' .. 'z', 'A' .. 'Z', 0 .. 9, qw(- . _ ; :));
sub rnd { return join '', map { $c[ rand @c ] } 1 .. $_[0]; }
for my $i (1 .. 1000)
{
	my $bytes = $i % 2
	  ? "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: "
	  . (($i % 4 == 1) ? 'curl/' . int(rand(10)) : rnd(8) . '/') . rnd(12) . "\r\n\r\n"
	  : 'SSH-2.0-' . rnd(4 + $i % 20) . "\r\n";
	send_probe($node, $bytes);
}
my $smb = pack('N', 0xa4) . "\xffSMBr" . ("\0" x 159);
send_probe($node, $smb);
for (1 .. 3)
{
	psql_conn($node, "host=127.0.0.1 port=$port user=alice dbname=postgres password=wrong sslmode=disable", 'SELECT 1');
}

my $after = scrape();
$h->kill_kill;
is_deeply([ sort keys %$after ], [ sort keys %$before ],
	'1,000 random User-Agents and SSH banners added no series');
is($after->{'probe_detect_events_total{kind="invalid_length"}'}, 1000, 'events by kind: every probe');
is($after->{'probe_detect_events_total{kind="unsupported_protocol"}'}, 1, 'the SMB probe');
is($after->{'probe_detect_events_total{kind="auth_failed"}'}, 3, 'failed logins');
is($after->{'probe_detect_protocol_events{protocol="http"}'}, 500, 'events by protocol: http');
is($after->{'probe_detect_protocol_events{protocol="ssh"}'}, 500, 'events by protocol: ssh');
is($after->{'probe_detect_protocol_events{protocol="smb1"}'}, 1, 'events by protocol: smb1');
is($after->{'probe_detect_tool_events{family="curl"}'}, 250, 'events by tool family: curl, whatever its version');
ok($after->{'probe_detect_tool_events{family="none"}'} >= 750,
	'random agents and banners name no tool');
is($after->{'probe_detect_tool_events{family="other"}'}, 0,
	'no tool name is taken from the bytes: family "other" stays empty');
is($after->{'probe_detect_guessing_logins'}, 1, 'failed logins over the guessing threshold');
is($after->{'probe_detect_ring_events_total'}, 1004, 'ring: events written');
is($after->{'probe_detect_ring_events_overwritten'}, 904, 'ring: it wrapped');
is($after->{'probe_detect_ring_events_kept'}, 100, 'ring: full');
is($after->{'probe_detect_refused_hosts'}, 0, 'refused hosts');

# The counters outlive a clean restart (the ring's save file).
$node->restart;
is($node->safe_psql('postgres',
		"SELECT value FROM probe_detect_counters WHERE counter = 'events_by_kind' AND label = 'invalid_length'"),
	'1000', 'counters survive a clean restart');
$node->safe_psql('postgres', 'SELECT probe_detect_reset()');
is($node->safe_psql('postgres', 'SELECT sum(value) FROM probe_detect_counters'), '0',
	'probe_detect_reset() zeroes them');

$node->stop;
done_testing();
