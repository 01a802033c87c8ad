#!/usr/bin/perl
# test_cli.pl: probe_detect_logscan's options and exit status, on small logs
# made here: --since, --report, --format, --log-format, the guessing
# thresholds, usage errors (status 2 and a message), a missing file (status
# 2, the other files still read), binary garbage and a NUL in a line.
# Prints TAP and a closing "N passed, N failed".
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use IPC::Open3;
use Symbol qw(gensym);

my $prog = $ENV{LOGSCAN} // dirname(__FILE__) . '/probe_detect_logscan';
my ($n, $failed) = (0, 0);

sub ok
{
	my ($cond, $name, @diag) = @_;
	$n++;
	print(($cond ? '' : 'not '), "ok $n - $name\n");
	unless ($cond)
	{
		$failed++;
		print STDERR "#   $_\n" for grep { defined } @diag;
	}
}

sub run
{
	my ($stdin, @args) = @_;
	my $err = gensym;
	my $pid = open3(my $in, my $out, $err, $prog, @args);
	print $in $stdin if defined $stdin;
	close $in;
	local $/;
	my $o = <$out> // '';
	my $e = <$err> // '';
	waitpid($pid, 0);
	return ($? >> 8, $o, $e);
}

my $dir = tempdir(CLEANUP => 1);
my $log = "$dir/pg.log";
open(my $fh, '>', $log) or die;
# ten failed logins a minute apart from one address, then eleven in a minute
# from another, then a probe the next day
for my $i (0 .. 9)
{
	printf $fh "2026-11-28 10:%02d:00.000 UTC [%d] alice\@db 192.0.2.1(5000) FATAL:  password authentication failed for user \"alice\"\n", $i * 6, 100 + $i;
}
for my $i (0 .. 10)
{
	printf $fh "2026-11-28 11:00:%02d.000 UTC [%d] bob\@db 192.0.2.2(5000) FATAL:  password authentication failed for user \"bob\"\n", $i, 200 + $i;
}
print $fh "2026-11-29 09:00:00.000 UTC [300] [unknown]\@[unknown] 192.0.2.3(5000) LOG:  invalid length of startup packet\n";
print $fh "\x00\xff\xfe garbage \x1b[31m\n";
print $fh "2026-11-29 09:00:01.000 UTC [301] [unknown]\@[unknown] 192.0.2.3(5001) FATAL:  unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0\n";
close $fh;
my @p = ('--prefix=%m [%p] %q%u@%d %r ');

my ($rc, $out, $err) = run(undef, @p, '--format=json', '--report=sources', $log);
ok($rc == 0, 'json sources: status 0', $err);
my ($s1) = $out =~ /("host":"192\.0\.2\.1".*)/;
my ($s2) = $out =~ /("host":"192\.0\.2\.2".*)/;
ok(defined $s1 && $s1 =~ /"failed_logins":10,/ && $s1 =~ /"verdict":""/,
	'ten failed logins over an hour: no guessing', $s1);
ok(defined $s2 && $s2 =~ /"failed_logins":11,/ && $s2 =~ /"verdict":"password guessing"/,
	'eleven within a minute: password guessing', $s2);

($rc, $out) = run(undef, @p, '--format=json', '--report=sources', '--guessing-threshold=9', '--guessing-window=3600', $log);
($s1) = $out =~ /("host":"192\.0\.2\.1".*)/;
ok(defined $s1 && $s1 =~ /"verdict":"password guessing"/, '--guessing-threshold=9 --guessing-window=3600', $s1);

($rc, $out) = run(undef, @p, '--format=csv', '--since=2026-11-29', $log);
my @rows = split /\n/, $out;
ok($rc == 0 && @rows == 3 && $rows[1] =~ /invalid_length/ && $rows[2] =~ /"65363\.19778","\\xffSMB","smb1"/,
	'--since=2026-11-29: the two probes only', $out);
($rc, $out) = run(undef, @p, '--format=csv', '--since=2026-11-28 11:00:05', $log);
@rows = split /\n/, $out;
ok(@rows == 1 + 6 + 2, "--since with a time: six of bob's eleven and the probes", scalar(@rows));
($rc, $out) = run(undef, @p, '--report=summary', '--since=2026-11-29 09:00', $log);
ok($out =~ /21 events before --since/, 'the summary counts what --since left out', $out);

($rc, $out) = run(undef, @p, '--format=csv', '--report=sources', $log);
ok($rc == 0 && $out =~ /^host,first,last,events,failed_logins,users,kinds,protocols,verdict\n/, 'csv sources: header', $out);

($rc, $out, $err) = run(undef, @p, $log, "$dir/missing.log");
ok($rc == 2 && $err =~ /missing\.log/ && $out =~ /192\.0\.2\.3/, 'a missing file: status 2, the others still read', $err);

for my $bad (['--format=xml'], ['--report=everything'], ['--since=yesterday'], ['--since=2026-13-01'],
	['--guessing-threshold=-1'], ['--guessing-window=0'], ['--log-format=syslog'],
	['--format=csv', '--report=all'], ['--no-such-option'])
{
	($rc, $out, $err) = run('', @$bad);
	ok($rc == 2 && $err ne '' && $out eq '', "usage error: @$bad", "status $rc", $err);
}
($rc, $out) = run(undef, '--version');
ok($rc == 0 && $out =~ /^probe_detect_logscan \(probe_detect\) \d/, '--version', $out);
($rc, $out) = run(undef, '--help');
ok($rc == 0 && $out =~ /--since=TIME/, '--help', $out);

# the same lines forced through the wrong reader: nothing, no crash
for my $f (qw(csvlog jsonlog))
{
	($rc, $out, $err) = run(undef, "--log-format=$f", '--report=summary', '--format=json', $log);
	ok($rc == 0 && $out =~ /"events":0,/, "--log-format=$f on a stderr log: no events", $out, $err);
}

# a jsonlog line whose fields hold escape sequences: none reaches the report
($rc, $out) = run("{\"timestamp\":\"2026-11-29 12:00:00.000 UTC\\u001b[31mX\",\"user\":\"a\\u001b]0;x\\u0007\","
	. "\"dbname\":\"b\",\"pid\":1,\"remote_host\":\"192.0.2.1\\n\",\"remote_port\":5,"
	. "\"error_severity\":\"LOG\",\"message\":\"invalid length of startup packet\"}\n", '--report=all');
ok($rc == 0 && $out =~ /invalid_length/ && $out !~ /[^\x20-\x7e\n]/,
	'jsonlog with escape sequences: the report is printable ASCII', $out);

# standard input, and an empty one
($rc, $out) = run("", '--report=summary', '--format=json');
ok($rc == 0 && $out =~ /"records":0,/, 'empty standard input', $out);

print(($n - $failed) . " passed, $failed failed\n");
exit($failed ? 1 : 0);
