# The integrations people already run, with the real tools: a fail2ban
# filter checked by fail2ban-regex against a log this test produces, and
# the prometheus-postgres-exporter queries scraped from a real exporter.
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

my $contrib = "$FindBin::RealBin/../contrib";
my $node = probe_node('integrations',
	conf => "probe_detect.server_log = annotated\npassword_encryption = 'scram-sha-256'\n"
	  . "probe_detect.guessing_threshold = 2\n");
my $port = $node->port;
{
	open(my $fh, '>', $node->data_dir . '/pg_hba.conf') or die;
	print $fh "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
	close $fh;
	$node->reload;
}
$node->safe_psql('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alicepw'");

sub have
{
	return IPC::Run::run([ 'sh', '-c', "command -v $_[0]" ], '>', \my $out);
}

# Traffic: 4 probes from 127.0.0.1, 2 from ::1, 1 over the Unix socket
# (never banned), and 3 wrong passwords (guessing from the third).
my $smb = pack('N', 0xa4) . "\xffSMBr" . ("\0" x 159);
send_probe($node, $smb);
send_probe($node, "GET / HTTP/1.0\r\n\r\n");
send_probe($node, "SSH-2.0-Go\r\n");
send_probe($node, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00");
if (have_ipv6())
{
	send_probe($node, "GET / HTTP/1.0\r\n\r\n", via => 'tcp6');
	send_probe($node, $smb, via => 'tcp6');
}
send_probe($node, "GET / HTTP/1.0\r\n\r\n", via => 'unix');
for (1 .. 3)
{
	psql_conn($node, "host=127.0.0.1 port=$port user=alice dbname=postgres password=wrong sslmode=disable", 'SELECT 1');
}

SKIP:
{
	skip 'fail2ban is not installed', 3 unless have('fail2ban-regex');
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'fail2ban-regex', '-v', $node->logfile,
		"$contrib/fail2ban/filter.d/probe-detect.conf" ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(60));
	note $out;
	# 4 probes + 1 verdict line (the third failure) from 127.0.0.1
	like($out, qr/Failregex: \d+ total/, 'fail2ban-regex ran the filter');
	my ($matched) = $out =~ /Lines: \d+ lines, \d+ ignored, (\d+) matched/;
	is($matched, 5 + (have_ipv6() ? 2 : 0),
		'every probe over TCP and the guessing verdict match, nothing else');
	like($out, qr/127\.0\.0\.1/, 'the offending address is what fail2ban bans');
}

SKIP:
{
	skip 'prometheus-postgres-exporter is not installed', 6
	  unless have('prometheus-postgres-exporter');
	my $web = PostgreSQL::Test::Cluster::get_free_port();
	local $ENV{DATA_SOURCE_NAME} =
	  'host=' . $node->host . " port=$port user=" . getpwuid($<) . ' dbname=postgres sslmode=disable';
	my $h = IPC::Run::start(
		[ 'prometheus-postgres-exporter',
			"--web.listen-address=127.0.0.1:$web",
			"--extend.query-path=$contrib/prometheus/probe_detect_queries.yaml",
			'--disable-default-metrics', '--disable-settings-metrics' ],
		'>', \my $eout, '2>', \my $eerr);
	my $metrics = '';
	for (1 .. 100)
	{
		my $r = HTTP::Tiny->new(timeout => 5)->get("http://127.0.0.1:$web/metrics");
		$metrics = $r->{content} if $r->{success};
		last if $metrics =~ /probe_detect_ring_events_total/;
		usleep(100_000);
	}
	$h->kill_kill;
	note join("\n", grep { /^probe_detect|^pg_up|last_scrape_error/ } split /\n/, $metrics);
	my $n = 4 + 1 + 3 + (have_ipv6() ? 2 : 0);
	# the exporter adds a server="..." label of its own
	like($metrics, qr/^probe_detect_ring_events_total\{server="[^"]+"\} $n$/m, "ring: $n events in total");
	like($metrics, qr/^probe_detect_ring_ring_size\{server="[^"]+"\} 5000$/m, 'ring: its size');
	like($metrics, qr/^probe_detect_ring_fullness\{server="[^"]+"\} 0\.00(?:1|2)\d*$/m, 'ring: how full');
	like($metrics, qr/^probe_detect_refused_hosts\{server="[^"]+"\} 0$/m, 'refused hosts');
	like($metrics,
		qr/^probe_detect_events_events\{kind="unsupported_protocol",protocol="smb1",server="[^"]+",tool="[^"]+"\} \d+$/m,
		'events by kind, protocol and tool');
	like($metrics, qr/^probe_detect_sources_auth_failures\{server="[^"]+",verdict="[^"]*password guessing"\} 3$/m,
		'sources by verdict, with their failed logins');
}

$node->stop;
done_testing();
