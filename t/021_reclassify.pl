# Events recorded before a classifier change show the new classification
# after it: the ring and the saved file keep facts, and the views classify
# when they are read.
#
# "The module before the change" is this tree built without its SMB rule,
# installed into a private copy of the PostgreSQL installation: Debian's
# server finds its libraries and extension files relative to its own
# executable (after resolving symlinks), so a real copy of postgres and
# pg_ctl beside symlinks to everything else loads the variant.  A node run
# by that copy records an SMB probe and an HTTP probe and is stopped cleanly
# (probe_detect.save); the same data directory, started by the real
# installation, must name the SMB probe smb1, as probe_detect_classify()
# does on the same bytes, with the same event ids and times.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use Cwd qw(realpath);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use IPC::Run ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;

# ---- the installation under test, and what building needs -------------

# prove runs with the installation's bindir first on PATH: its pg_config
my ($pgbin) = grep { -x "$_/postgres" } split /:/, $ENV{PATH};
my $pg_config = 'pg_config';
if (defined $pgbin)
{
	my $dir = dirname(realpath("$pgbin/postgres"));
	$pg_config = "$dir/pg_config" if -x "$dir/pg_config";
}

# one line of a command's output, undef if it fails
sub out1
{
	my $out = '';
	IPC::Run::run([@_], '<', \'', '>', \$out, '2>', \my $err) or return undef;
	chomp $out;
	return $out;
}

my %cfg;
for my $k (qw(bindir pkglibdir sharedir pgxs cc version))
{
	$cfg{$k} = out1($pg_config, "--$k");
}
my ($cc) = split ' ', ($cfg{cc} // '');
plan skip_all => 'no pg_config beside postgres or on PATH: cannot build the module'
  unless defined $cfg{bindir} && defined $cfg{pgxs};
plan skip_all => "PGXS is not installed ($cfg{pgxs} is missing: the server-dev package)"
  unless -f $cfg{pgxs};
plan skip_all => 'make is not installed' unless have('make');
plan skip_all => 'the compiler PGXS uses (' . ($cfg{cc} // '?') . ') is not installed'
  unless defined $cc && have($cc);
note "building against $cfg{version}, $cfg{bindir}";

# ---- the module before the change: this tree without its SMB rule ------

my $tmp = realpath(PostgreSQL::Test::Utils::tempdir());
my $src = realpath("$FindBin::RealBin/..");
my $copy = "$tmp/src";
make_path($copy);

# the tree with its build products, so only what changes recompiles (they
# were built for the installation under test, as make installcheck and the
# matrix build before they test); not test output (this test's own log is
# being written under tmp_check)
my $tar_err = '';
IPC::Run::run(
	[
		'tar', '-C', $src, '-c',
		map({ "--exclude=./$_" }
			qw(.git tmp_check tmp_check_nopreload results results_nopreload log unit/fuzz_work)),
		'.'
	],
	'|',
	[ 'tar', '-C', $copy, '-x' ],
	'2>', \$tar_err) or die "copying the tree failed: $tar_err";

my $rules = "$copy/classify/rules.c";
my $text = slurp_file($rules);
my $removed =
  ($text =~ s/^[ \t]*\{\.name = "smb", \.rule = pd_rule_smb\},[ \t]*\n//mg);
is($removed, 1, 'the copy of classify/rules.c lost exactly one line: the SMB rule')
  or die 'the SMB rule is not one line of classify/rules.c any more: fix this test';
open(my $fh, '>', $rules) or die "$rules: $!";
print $fh $text;
close $fh;

# a make of our own: not the jobs or the variables of the make running prove
sub run_make
{
	my ($what, @args) = @_;
	local $ENV{MAKEFLAGS};
	local $ENV{MFLAGS};
	local $ENV{MAKELEVEL};
	local $ENV{PG_CONFIG};
	delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL PG_CONFIG)};
	my $log = '';
	my $ok = IPC::Run::run([ 'make', '-s', '-C', $copy, "PG_CONFIG=$pg_config", @args ],
		'<', \'', '>&', \$log, IPC::Run::timeout(600));
	diag("$what:\n$log") unless $ok;
	ok($ok, $what) or die "$what failed";
	return;
}
my $old = "$tmp/old";
run_make('the variant builds with PGXS', '-j2');
run_make('and installs under DESTDIR', 'install', "DESTDIR=$old");

# The private installation: real directories where the variant's files
# went, symlinks to the real installation for everything else; postgres and
# pg_ctl real copies, because both find their siblings through their own
# resolved path.
sub mirror
{
	my ($real, $priv) = @_;
	make_path($priv);
	opendir(my $dh, $real) or die "$real: $!";
	for my $e (grep { $_ ne '.' && $_ ne '..' } readdir $dh)
	{
		if (!-e "$priv/$e" && !-l "$priv/$e")
		{
			symlink("$real/$e", "$priv/$e") or die "symlink $priv/$e: $!";
		}
		elsif (-d "$priv/$e" && !-l "$priv/$e" && -d "$real/$e")
		{
			mirror("$real/$e", "$priv/$e");
		}
	}
	closedir $dh;
	return;
}
my $obin = "$old$cfg{bindir}";
my $olib = "$old$cfg{pkglibdir}";
make_path($obin);
for my $prog ('postgres', 'pg_ctl')
{
	copy("$cfg{bindir}/$prog", "$obin/$prog") or die "copy $prog: $!";
	chmod(0755, "$obin/$prog") or die "chmod $prog: $!";
}
mirror($cfg{bindir}, $obin);
mirror($cfg{pkglibdir}, $olib);
mirror($cfg{sharedir}, "$old$cfg{sharedir}");
ok(-f "$olib/probe_detect.so" && !-l "$olib/probe_detect.so",
	'the private installation has the variant module');

# ---- the old module records ---------------------------------------------

my $smb = "\0\0\0\xa4\xffSMBr" . ("\0" x 159);
my $http = "GET /reclassify HTTP/1.0\r\n\r\n";
my $cols = q{event_id, seen_at, coalesce(protocol, '-'), coalesce(tool, '-'),
	coalesce(detail, '-'), encode(raw_bytes, 'hex'), raw_offset};

# every event as one line of tab-separated columns, by source address (a
# detail may hold "|")
sub events
{
	my ($node) = @_;
	my %by;
	for (split /\n/, q1($node,
		"SELECT host(client_addr), concat_ws(E'\\t', $cols) FROM probe_detect_events ORDER BY event_id"))
	{
		my ($addr, $row) = split /\|/, $_, 2;
		$by{$addr} = $row;
	}
	return \%by;
}

# probe_detect_sources' protocols of one address
sub protocols_of
{
	my ($node, $addr) = @_;
	return q1($node, "SELECT protocols FROM probe_detect_sources WHERE client_addr = '$addr'");
}

# what this node's classifier says of bytes: protocol, tool, detail
sub classify
{
	my ($node, $bytes) = @_;
	return q1($node,
		    "SELECT concat_ws(E'\\t', coalesce(protocol, '-'), coalesce(tool, '-'), coalesce(detail, '-')) "
		  . "FROM probe_detect_classify('\\x"
		  . hexstr($bytes) . "')");
}

# an event's columns: event_id, seen_at, protocol, tool, detail, raw_bytes,
# raw_offset
sub cols
{
	return split /\t/, $_[0] // '', -1;
}

my ($node, $before);
{
	local $ENV{PATH} = "$obin:$ENV{PATH}";
	$node = probe_node('reclassify', conf => "probe_detect.save = on\n");

	# the server running is the copy, with the variant loaded
	is(q1($node, q{SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'}),
		$olib, 'the old node: its server looks for modules in the private installation');
	my $maps = slurp_file('/proc/' . postmaster_pid($node) . '/maps');
	like($maps, qr/ \Q$olib\E\/probe_detect\.so$/m,
		'the old node: its postmaster mapped the variant module');
	unlike($maps, qr/ \Q$cfg{pkglibdir}\E\/probe_detect\.so$/m,
		'the old node: and not the installed one');
	my $old_smb = classify($node, $smb);
	unlike($old_smb, qr/^smb/, 'the old classifier does not name SMB (' . ($old_smb =~ tr/\t/ /r) . ')');

	send_probe($node, $smb, from => '127.0.0.2');
	send_probe($node, $http, from => '127.0.0.3');
	$before = events($node);
	note explain $before;
	is(scalar(keys %$before), 2, 'the old node recorded two events');
	my $proto = (cols($before->{'127.0.0.2'}))[2] // '';
	isnt($proto, 'smb1', "the old node: the SMB probe is not named smb1 ($proto)");
	is((cols($before->{'127.0.0.3'}))[2], 'http', 'the old node: the HTTP probe is http');
	isnt(protocols_of($node, '127.0.0.2'), '{smb1}', 'the old node: the SMB source has no smb1');

	$node->stop;
}
ok(-f $node->data_dir . '/pg_stat/probe_detect.stat', 'a clean stop saved the ring');

# ---- the same data directory, the installed module ----------------------

$node->start;
is(q1($node, q{SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'}),
	$cfg{pkglibdir}, 'the new node: the real installation');
ok($node->log_contains('probe_detect restored 2 events'), 'the new node restored the two events');

my $new_smb = classify($node, $smb);
like($new_smb, qr/^smb1\t/, 'the current classifier names the SMB probe (' . ($new_smb =~ tr/\t/ /r) . ')');
my $after = events($node);
note explain $after;
is_deeply([ sort keys %$after ], [ sort keys %$before ], 'the same sources, no event more');

# the same probes recorded afresh by the current module: what the old
# events must now read as
send_probe($node, $smb, from => '127.0.0.4');
send_probe($node, $http, from => '127.0.0.5');
my $fresh = events($node);
note explain $fresh;

my @b = cols($before->{'127.0.0.2'});
my @a = cols($after->{'127.0.0.2'});
my @f = cols($fresh->{'127.0.0.4'});
is("@a[0,1]", "@b[0,1]", 'the SMB event keeps its id and time');
is("@a[5,6]", "@b[5,6]", 'and its bytes');
is($a[2], 'smb1', 'the SMB event recorded by the old module is now smb1');
is($a[2], (split /\t/, $new_smb)[0], 'as probe_detect_classify() says of the same bytes');
is(join("\t", @a[2 .. 6]), join("\t", @f[2 .. 6]),
	'protocol, tool and detail as the current module gives the same probe recorded now');
is(protocols_of($node, '127.0.0.2'), '{smb1}', 'probe_detect_sources: smb1');

is($after->{'127.0.0.3'}, $before->{'127.0.0.3'}, 'the HTTP event is unchanged');
is(join("\t", (cols($after->{'127.0.0.3'}))[2 .. 6]), join("\t", (cols($fresh->{'127.0.0.5'}))[2 .. 6]),
	'and reads as the same probe recorded now');
is(protocols_of($node, '127.0.0.3'), '{http}', 'probe_detect_sources: http');

ok(!$node->log_contains('PANIC'), 'no PANIC');
$node->stop;
done_testing();
