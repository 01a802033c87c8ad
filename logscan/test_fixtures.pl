#!/usr/bin/perl
#
# test_fixtures.pl
#	  Runs probe_detect_logscan over every fixture in logscan/testdata/ and
#	  compares its csv events with the fixture's expectations; prints TAP.
#
# Each fixture is a log (NAME.log, NAME.csv or NAME.json) and NAME.expect:
# leading "# key: value" comments ("# prefix: ..." is passed as --prefix,
# byte for byte, trailing blanks included; other comments are notes), then
# a TSV header naming some of the program's csv columns, then one row per
# event the program must report, in order.  Only the columns the expectation
# names are compared, so a column the fixture cannot know (time, port,
# tool, ...) is the program's business.  Values are in the program's escaped
# form (printable ASCII as is, "\\" for a backslash, "\xNN" for other bytes).
#
# Besides the fixtures, a gzip-compressed copy of one fixture (made in a
# temporary directory at run time) and the same fixture read from standard
# input must give the same output as the plain file.
#
# Usage: perl logscan/test_fixtures.pl [FIXTURE-NAME...]
# The program is logscan/probe_detect_logscan beside this script, or $LOGSCAN.
# Only core Perl modules are used.

use strict;
use warnings;
use FindBin;
use File::Spec;
use File::Temp qw(tempdir);
use IO::Compress::Gzip qw(gzip $GzipError);

my $dir = File::Spec->catdir($FindBin::Bin, 'testdata');
my $prog = $ENV{LOGSCAN} // File::Spec->catfile($FindBin::Bin, 'probe_detect_logscan');
my @CSV_HEADER = qw(time host port pid kind version bytes protocol tool user database scan nmap_probe);
my $TIMEOUT = 120;

$| = 1;
my $n = 0;
my $failed = 0;

sub ok
{
	my ($cond, $name, @diag) = @_;
	$n++;
	print(($cond ? '' : 'not '), "ok $n - $name\n");
	unless ($cond)
	{
		$failed++;
		print STDERR "#   $_\n" for map { split /\n/ } @diag;
	}
	return $cond;
}

# A missing program is one clear failure, not a screenful.
unless (-f $prog && -x _)
{
	print "1..1\n";
	ok(0, "$prog exists and is executable",
	   "build it first (make); the fixtures cannot run without it");
	exit 1;
}

# Runs the program; returns (exit status, stdout, stderr).  With $stdin_file
# the log is fed on standard input and no FILE argument is given.
sub run_prog
{
	my ($args, $stdin_file) = @_;
	my $tmp = tempdir(CLEANUP => 1);
	my ($out, $err) = ("$tmp/out", "$tmp/err");
	my $pid = fork() // die "fork: $!";
	if ($pid == 0)
	{
		open(STDIN, '<', $stdin_file // File::Spec->devnull) or die "stdin: $!";
		open(STDOUT, '>', $out) or die "stdout: $!";
		open(STDERR, '>', $err) or die "stderr: $!";
		exec($prog, @$args) or die "exec $prog: $!";
	}
	my $status;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm $TIMEOUT;
		waitpid($pid, 0);
		$status = $?;
		alarm 0;
	};
	if ($@)
	{
		kill 'KILL', $pid;
		waitpid($pid, 0);
		return (-1, '', "timed out after $TIMEOUT s");
	}
	return ($status, slurp($out), slurp($err));
}

sub slurp
{
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "$f: $!";
	local $/;
	my $s = <$fh>;
	return $s // '';
}

# RFC 4180: fields separated by commas, records by CRLF or LF, quoted fields
# may hold commas, doubled quotes and line breaks.  Returns a list of rows
# (array refs), or dies on malformed input.
sub parse_csv
{
	my ($s) = @_;
	my @rows;
	my @row;
	my $pos = 0;
	my $len = length $s;
	return () if $len == 0;
	while (1)
	{
		my $field;
		if (substr($s, $pos, 1) eq '"')
		{
			$pos++;
			$field = '';
			while (1)
			{
				die "unterminated quoted field at byte $pos\n" if $pos >= $len;
				my $q = index($s, '"', $pos);
				die "unterminated quoted field at byte $pos\n" if $q < 0;
				$field .= substr($s, $pos, $q - $pos);
				$pos = $q + 1;
				if (substr($s, $pos, 1) eq '"')
				{
					$field .= '"';
					$pos++;
					next;
				}
				last;
			}
		}
		else
		{
			substr($s, $pos) =~ /\A([^,\r\n"]*)/;
			$field = $1;
			$pos += length $field;
		}
		push @row, $field;
		my $c = $pos < $len ? substr($s, $pos, 1) : '';
		if ($c eq ',')
		{
			$pos++;
			next;
		}
		if ($c eq '' || $c eq "\n" || $c eq "\r")
		{
			$pos++ if $c eq "\r" && substr($s, $pos + 1, 1) eq "\n";
			$pos++ if $c ne '';
			push @rows, [@row];
			@row = ();
			last if $pos >= $len;
			next;
		}
		die "unexpected character " . sprintf('0x%02x', ord $c) . " after field at byte $pos\n";
	}
	return @rows;
}

# Reads NAME.expect: (options hash, column names, rows of hashes)
sub read_expect
{
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "$file: $!";
	my (%opt, @cols, @rows);
	while (my $line = <$fh>)
	{
		$line =~ s/\r?\n\z//;
		if (!@cols && $line =~ /\A#\s*([A-Za-z-]+):\s(.*)\z/s)
		{
			$opt{lc $1} = $2;
			next;
		}
		next if $line =~ /\A#/ || (!@cols && $line eq '');
		if (!@cols)
		{
			@cols = split /\t/, $line, -1;
			next;
		}
		my @v = split /\t/, $line, -1;
		die "$file: row has " . scalar(@v) . " fields, header " . scalar(@cols) . "\n"
		  if @v != @cols;
		my %r;
		@r{@cols} = @v;
		push @rows, \%r;
	}
	die "$file: no header line\n" unless @cols;
	return (\%opt, \@cols, \@rows);
}

sub fmt_row
{
	my ($cols, $r) = @_;
	return join("\t", map { "$_=" . ($r->{$_} // '(none)') } @$cols);
}

opendir(my $dh, $dir) or die "$dir: $!";
my @fixtures = sort grep { s/\.expect\z// } readdir $dh;
closedir $dh;
@fixtures = grep { my $f = $_; grep { $_ eq $f } @ARGV } @fixtures if @ARGV;
die "no fixtures in $dir\n" unless @fixtures;

# 4 tests per fixture, 2 for the gzip and stdin checks
print '1..', 4 * @fixtures + 2, "\n";

my %plain_out;				# fixture -> stdout, for the gzip/stdin checks
my %log_of;
my %args_of;
for my $name (@fixtures)
{
	my ($opt, $cols, $want) = read_expect("$dir/$name.expect");
	my ($log) = grep { -f } map { "$dir/$name.$_" } qw(log csv json);
	unless (defined $log)
	{
		ok(0, "$name: log file") for 1 .. 4;
		next;
	}
	my @args = ('--format=csv', '--report=events');
	push @args, "--prefix=$opt->{prefix}" if defined $opt->{prefix};
	$log_of{$name} = $log;
	$args_of{$name} = \@args;

	my ($status, $out, $err) = run_prog([@args, $log]);
	$plain_out{$name} = $out if $status == 0;
	ok($status == 0, "$name: exit status 0", "status $status", $err);

	my @rows = eval { parse_csv($out) };
	ok(!$@ && @rows && join(',', @{$rows[0]}) eq join(',', @CSV_HEADER),
	   "$name: csv output parses, header as the spec's",
	   $@ ? "csv: $@" : 'header: ' . (@rows ? join(',', @{$rows[0]}) : '(no output)'));
	shift @rows if @rows;

	my $i = 0;
	my %idx = map { $_ => $i++ } @CSV_HEADER;
	my @unknown = grep { !exists $idx{$_} } @$cols;
	my @got = map {
		my $row = $_;
		+{ map { $_ => $row->[$idx{$_}] } grep { exists $idx{$_} } @$cols }
	} @rows;

	ok(!@unknown && @got == @$want, "$name: " . scalar(@$want) . " events",
	   @unknown ? "expectation columns not in the csv header: @unknown" : (),
	   'got ' . scalar(@got) . ' events, want ' . scalar(@$want));

	my @diff;
	my $max = @got > @$want ? @got : @$want;
	for my $i (0 .. $max - 1)
	{
		my ($g, $w) = ($got[$i], $want->[$i]);
		if (!defined $g || !defined $w)
		{
			push @diff, sprintf("event %d: %s", $i + 1,
				defined $w ? 'missing; want ' . fmt_row($cols, $w)
				: 'unexpected: ' . fmt_row($cols, $g));
			next;
		}
		my @bad = grep { ($g->{$_} // '') ne $w->{$_} } grep { exists $idx{$_} } @$cols;
		push @diff, sprintf("event %d (%s): %s", $i + 1, $w->{kind} // '?',
			join('; ', map { "$_: got '" . ($g->{$_} // '') . "', want '$w->{$_}'" } @bad))
		  if @bad;
	}
	ok(!@diff && !@unknown, "$name: events match the expectations", @diff[0 .. ($#diff < 19 ? $#diff : 19)],
	   @diff > 20 ? ('... ' . (@diff - 20) . ' more') : ());
}

# gzip and standard input: the same bytes must give the same output
my ($probe) = grep { exists $plain_out{$_} } grep { /debian/ } @fixtures;
($probe) = grep { exists $plain_out{$_} } @fixtures unless defined $probe;
if (!defined $probe)
{
	ok(0, 'gzip-compressed fixture gives the same output', 'no fixture ran cleanly');
	ok(0, 'fixture on standard input gives the same output', 'no fixture ran cleanly');
}
else
{
	my $tmp = tempdir(CLEANUP => 1);
	my $gz = "$tmp/$probe.log.gz";
	gzip($log_of{$probe} => $gz) or die "gzip: $GzipError\n";
	my ($status, $out, $err) = run_prog([@{$args_of{$probe}}, $gz]);
	ok($status == 0 && $out eq $plain_out{$probe}, "$probe: gzip-compressed copy gives the same output",
	   "status $status", $err, $out eq $plain_out{$probe} ? () : 'output differs from the plain file\'s');

	($status, $out, $err) = run_prog([@{$args_of{$probe}}], $log_of{$probe});
	ok($status == 0 && $out eq $plain_out{$probe}, "$probe: standard input gives the same output",
	   "status $status", $err, $out eq $plain_out{$probe} ? () : 'output differs from the plain file\'s');
}

# the line scripts/test.sh counts, as the C unit tests print it
print(($n - $failed) . " passed, $failed failed\n");
exit($failed ? 1 : 0);
