# The module under valgrind (memcheck): the postmaster runs inside valgrind,
# which follows every forked child, while probes of each kind, failed
# logins and the views exercise the code.  No error may have a probe_detect
# function in its stack.  (PostgreSQL itself is not built for valgrind, so
# errors wholly inside it are not ours to judge and are only counted.)
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

plan skip_all => 'valgrind is not installed'
  unless have('valgrind');

my $node = PostgreSQL::Test::Cluster->new('valgrind');
$node->init;
my $dir = $node->basedir . '/vg';
mkdir $dir;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'probe_detect'
listen_addresses = '127.0.0.1'
max_connections = 10
password_encryption = 'scram-sha-256'
probe_detect.server_log = annotated
probe_detect.refuse_after = 100
});
set_hba($node, 'host all all 127.0.0.1/32 scram-sha-256');
my $wrapper = "$dir/postgres";
open(my $w, '>', $wrapper) or die;
print $w "#!/bin/sh\nexec valgrind --quiet --leak-check=no --error-limit=no --num-callers=30 "
  . "--log-file=$dir/vg.%p.log " . $node->config_data('--bindir') . "/postgres \"\$@\"\n";
close $w;
chmod 0755, $wrapper;

# pg_ctl -p starts our wrapper instead of postgres
PostgreSQL::Test::Utils::system_or_bail('pg_ctl', '-D', $node->data_dir, '-p', $wrapper,
	'-l', $node->logfile, '-t', '300', '-w', 'start');
$node->_update_pid(1);

$node->safe_psql('postgres', "CREATE EXTENSION probe_detect; CREATE ROLE alice LOGIN PASSWORD 'alicepw'");
my @probes = (
	"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88.1\r\n\r\n",
	pack('NN', 8, 0xff534d42),
	"SSH-2.0-OpenSSH_9.2p1\r\n",
	"\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03" . ('r' x 32) . "\0\0\x02\0/\x01\0",
	pack('NN', 8, 0x00ff00ff),
	pack('NN', 49, 0x00030000) . "client_encoding\0UTF8\0datestyle\0ISO, MDY\0\0",
	pack('NN', 8, 80877103) . "GET / HTTP/1.0\r\n\r\n",
	join('', map { chr(($_ * 37) % 256) } 1 .. 300),
);
send_probe($node, $_, timeout => 60) for @probes;
for (1 .. 2)
{
	psql_conn($node, 'host=127.0.0.1 port=' . $node->port . ' user=alice dbname=postgres password=wrong sslmode=disable', 'SELECT 1');
}
is( $node->safe_psql(
		'postgres',
		'SELECT sum(occurrences), count(*), count(*) FILTER (WHERE protocol IS NOT NULL) FROM probe_detect_events'),
	'10|9|8', 'under valgrind: every event recorded and classified (the second failed login folded into the first)');
$node->safe_psql('postgres', q{
SELECT count(*) FROM probe_detect_sources;
SELECT count(*) FROM probe_detect_refused;
SELECT * FROM probe_detect_classify('\x474554202f20485454502f312e300d0a0d0a');
SELECT * FROM probe_detect_decode('65363.19778');
SELECT probe_detect_reset();
});
PostgreSQL::Test::Utils::system_or_bail('pg_ctl', '-D', $node->data_dir, '-m', 'fast', '-t', '300', 'stop');
$node->_update_pid(0);

my ($logs, $errors, $ours) = (0, 0, 0);
my @ours;
for my $f (glob "$dir/vg.*.log")
{
	$logs++;
	my $text = slurp_file($f);
	for my $err (split /\n==\d+== \n/, $text)
	{
		next unless $err =~ /(Invalid (read|write|free)|uninitialised|Conditional jump|Mismatched|overlap|Syscall param)/;
		$errors++;
		if ($err =~ /\b(pd_\w+|probe_detect_\w+)\b/)
		{
			$ours++;
			push @ours, $err;
		}
	}
}
note "valgrind logs: $logs, errors in them: $errors, with a probe_detect frame: $ours";
diag $_ for @ours[0 .. ($#ours < 2 ? $#ours : 2)];
cmp_ok($logs, '>=', 12, 'valgrind followed the postmaster and its children');
is($ours, 0, 'no valgrind error in probe_detect code');
done_testing();
