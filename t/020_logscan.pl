# probe_detect_logscan, the offline reader of server logs, against the
# module on the same traffic: one preloaded server writes stderr, csvlog and
# (15+) jsonlog through the logging collector while nmap -sV, curl, ssh,
# raw bytes, hydra and psql hit it; the program's events, sources and
# verdicts for each format must be the module's.
#
# What cannot match, and is left out of the comparisons:
# - auth_abandoned (a client that hangs up at the password prompt, as psql
#   does when it has no password): PostgreSQL logs nothing for it;
# - tls_rejected (17+: direct TLS to a server without ssl, as nmap's TLS
#   probes are): "direct SSL connection rejected" is logged only with
#   trace_connection_negotiation, a developer's setting;
# - protocol and tool of events other than unsupported_protocol: the log
#   says "invalid length of startup packet" without the bytes the module
#   classified (an HTTP request, an SSH banner), while the rejected version
#   word of unsupported_protocol is the client's first four bytes after the
#   length word, from which both decode the same;
# - the protocols of a source, for the same reason.
# In the stderr format, PostgreSQL writes the names of the line prefix
# (%u@%d) as they are, newline and all (the message's own lines go on with
# a tab): a failed login with a newline in its user or database name must
# still count there, or a guesser could hide from the count by asking for
# database "x\ny"; the names the program makes of such a record are noted,
# not compared.  In csvlog and jsonlog they must be the module's.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;

use File::Basename qw(dirname);
use IO::Compress::Gzip qw(gzip $GzipError);
use IPC::Run ();
use JSON::PP ();
use PostgreSQL::Test::Utils;
use ProbeDetect;
use Test::More;
use Time::HiRes qw(time usleep);

my $bin = logscan_bin();
unless (defined $bin)
{
	fail('probe_detect_logscan: not built in logscan/, not installed, '
		  . 'and PROBE_DETECT_LOGSCAN is not set');
	done_testing();
	exit;
}
note "probe_detect_logscan: $bin";

my $major = pg_major();
my @dests = ('stderr', 'csvlog', $major >= 15 ? ('jsonlog') : ());
my $prefix = '%m [%p] %q%u@%d %r ';
my $node = probe_node(
	'logscan',
	nmap_quiet_port => 1,
	conf => "logging_collector = on\n"
	  . "log_destination = '" . join(',', @dests) . "'\n"
	  . "log_rotation_age = 0\n"
	  . "log_rotation_size = 0\n"
	  . "log_connections = on\n"
	  . "log_line_prefix = '$prefix'\n"
	  . "lc_messages = 'C'\n"
	  . "password_encryption = 'scram-sha-256'\n");
my $port = $node->port;
my $tmp = PostgreSQL::Test::Utils::tempdir();
my $json = JSON::PP->new->utf8(0);

$node->safe_psql('postgres', q{CREATE ROLE alice LOGIN PASSWORD 'alicepw'});
$node->safe_psql('postgres', q{CREATE ROLE carol LOGIN PASSWORD 'carolpw'});
set_hba($node,
	'host rejectdb all 127.0.0.1/32 reject',
	'host evildb all 127.0.0.1/32 password',
	'host all carol 127.0.0.1/32 password',
	'host all all 127.0.0.1/32 scram-sha-256');

# Run a command with a hard time limit, in the scratch directory (hydra
# may leave its restore file there); returns its stdout and stderr.
sub run_tool
{
	my ($seconds, @cmd) = @_;
	my $out = '';
	eval {
		IPC::Run::run(\@cmd, '<', \undef, '>&', \$out,
			init => sub { chdir $tmp or die "chdir: $!" },
			IPC::Run::timeout($seconds));
	};
	note "@cmd: " . ($@ ? "timed out or failed: $@" : 'done');
	return $out;
}

# Try to log in with psql over 127.0.0.1; its exit code.
sub login
{
	my (%c) = @_;
	my ($rc) = psql_conn($node,
		"host=127.0.0.1 port=$port sslmode=disable user=$c{user} dbname="
		  . ($c{db} // 'postgres')
		  . (defined $c{password} ? " password=$c{password}" : ''),
		'SELECT 1');
	return $rc;
}

# A marker line in every log, then copies of the collector's files, once
# the marker is in each (the collector writes behind the backends):
# { dest => [ copies ] }.
sub snapshot
{
	my ($tag) = @_;
	my $mark = "logscan-test-mark-$tag";
	$node->safe_psql('postgres', "DO \$\$BEGIN RAISE LOG '$mark'; END\$\$");
	my %copies;
	for my $dest (@dests)
	{
		my $cur = q1($node, "SELECT pg_current_logfile('$dest')");
		my ($ext) = $cur =~ /(\.[a-z]+)$/ or die "log file name $cur";
		my $dir = dirname($node->data_dir . "/$cur");
		my @files;
		my $deadline = time + 30;
		while (1)
		{
			opendir(my $dh, $dir) or die "$dir: $!";
			@files = map { "$dir/$_" } sort grep { /\Q$ext\E$/ } readdir $dh;
			closedir $dh;
			last if grep { index(slurp_file($_), $mark) >= 0 } @files;
			die "$mark is not in the $dest log after 30 s" if time > $deadline;
			usleep(100_000);
		}
		for my $i (0 .. $#files)
		{
			my $copy = "$tmp/$tag-$i$ext";
			open(my $fh, '>:raw', $copy) or die "$copy: $!";
			print $fh slurp_file($files[$i]);
			close $fh;
			push @{ $copies{$dest} }, $copy;
		}
	}
	return \%copies;
}

# The module's events from 127.0.0.1, as hashes.
sub module_events
{
	my @rows;
	for my $line (split /\n/, q1($node, q{
		SELECT concat_ws(E'\t', client_port, pid, kind, coalesce(protocol_version, ''),
		                 coalesce(protocol, ''), coalesce(tool, ''),
		                 coalesce(user_name, ''), coalesce(database_name, ''), occurrences)
		  FROM probe_detect_events WHERE client_addr = '127.0.0.1' ORDER BY event_id}))
	{
		my %e;
		@e{qw(port pid kind version protocol tool user database occurrences)} =
		  split /\t/, $line, -1;
		die "repeat_window = 0, yet $e{occurrences} occurrences" if $e{occurrences} != 1;
		push @rows, \%e;
	}
	return @rows;
}

# The module's row of probe_detect_sources for 127.0.0.1.
sub module_source
{
	my %s;
	@s{qw(events failed_logins verdict)} = split /\|/, q1($node, q{
		SELECT events, auth_failures, coalesce(verdict, '') FROM probe_detect_sources
		 WHERE client_addr = '127.0.0.1'}), -1;
	$s{users} = [ sort split /\n/, q1($node, q{
		SELECT u FROM probe_detect_sources, unnest(users_tried) u
		 WHERE client_addr = '127.0.0.1'}) ];
	return \%s;
}

# Run the program; its stdout, after checking its exit status.
sub logscan
{
	my ($label, $args, $stdin) = @_;
	my ($status, $out, $err) = run_logscan($args, $stdin);
	is($status, 0, "$label: exit status 0") or diag "stderr: $err";
	return $out;
}

# Its JSON lines, as records; each line must be one object.
sub json_records
{
	my ($label, $out) = @_;
	my (@recs, @bad);
	for my $l (split /\n/, $out)
	{
		my $r = eval { $json->decode($l) };
		ref $r eq 'HASH' ? push @recs, $r : push @bad, $l;
	}
	ok(!@bad && @recs, "$label: JSON lines, one object each")
	  or diag 'not JSON: ' . join("\n", map { substr($_, 0, 200) } @bad[ 0 .. ($#bad > 4 ? 4 : $#bad) ]);
	return @recs;
}

# RFC 4180 records: [ [ field, ... ], ... ].
sub parse_csv
{
	my ($text) = @_;
	my (@rows, @row);
	pos($text) = 0;
	while (pos($text) < length $text)
	{
		$text =~ /\G(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r?\n|\z)/gc
		  or return (\@rows, 'bad CSV at ' . substr($text, pos($text), 60));
		my ($quoted, $plain, $end) = ($1, $2, $3);
		push @row, defined $quoted ? $quoted =~ s/""/"/gr : $plain;
		next if $end eq ',';
		push @rows, [@row];
		@row = ();
	}
	return (\@rows, undef);
}

# One event as a string, for comparing: the fields the log can tell.
sub ev_str
{
	my ($e, @f) = @_;
	@f = qw(port pid kind version user database) unless @f;
	return join ' ', map { my $v = $e->{$_}; defined $v && $v ne '' ? $v : '-' } @f;
}
my @all_fields = qw(port pid kind version protocol tool user database);

# The program's events and the source record for 127.0.0.1 from JSON lines,
# and its events from anywhere else.
sub by_host
{
	my (@recs) = @_;
	my @ev = grep { $_->{record} eq 'event' && ($_->{host} // '') eq '127.0.0.1' } @recs;
	my @other = grep { $_->{record} eq 'event' && ($_->{host} // '') ne '127.0.0.1' } @recs;
	my ($src) = grep { $_->{record} eq 'source' && $_->{host} eq '127.0.0.1' } @recs;
	return (\@ev, $src, \@other);
}

sub count_kinds
{
	my %n;
	$n{ $_->{kind} }++ for @_;
	return \%n;
}

# The log lines that name a client port (for diagnostics).
my $stderr_log;
sub log_lines_of
{
	my ($port) = @_;
	return '' unless defined $stderr_log && $port =~ /^\d+$/;
	my @l = grep { /\(\Q$port\E\)|port=\Q$port\E\b/ } split /\n/, $stderr_log;
	return join('', map { "\n    log: $_" } @l);
}

# Kinds PostgreSQL writes a log line for (see the top).
sub logged_kind
{
	my ($kind) = @_;
	return $kind ne 'auth_abandoned' && $kind ne 'tls_rejected';
}

# The program's events (one format) against the module's.
sub compare_with_module
{
	my ($label, $prog, $mod, %opt) = @_;
	my @mod = grep { logged_kind($_->{kind}) } @$mod;

	is_deeply(count_kinds(@$prog), count_kinds(@mod),
		"$label: events per kind from 127.0.0.1 are the module's");

	# event by event, matched by client port
	my (%m, %p, @diff);
	push @{ $m{ $_->{port} } }, ev_str($_) for @mod;
	push @{ $p{ $_->{port} // '-' } }, ev_str($_, @{ $opt{fields} // [] }) for @$prog;
	for my $port (sort { $a cmp $b } keys %{ { %m, %p } })
	{
		my $want = join(' | ', sort @{ $m{$port} // [] });
		my $got = join(' | ', sort @{ $p{$port} // [] });
		push @diff, "port $port: module [$want], logscan [$got]" . log_lines_of($port)
		  if $want ne $got;
	}
	is(scalar @diff, 0,
		"$label: every event (port, pid, kind, version, user, database) is the module's")
	  or diag join("\n", @diff);

	# the rejected version word decodes the same
	my %pp = map { ($_->{port} // '-') => $_ } grep { $_->{kind} eq 'unsupported_protocol' } @$prog;
	for my $e (grep { $_->{kind} eq 'unsupported_protocol' } @mod)
	{
		is(ev_str($pp{ $e->{port} } // {}, qw(version protocol tool)),
			ev_str($e, qw(version protocol tool)),
			"$label: unsupported_protocol $e->{version} from port $e->{port}: version, protocol, tool");
		# and its bytes are the module's decoding of the word
		is($pp{ $e->{port} } ? $pp{ $e->{port} }{bytes} // '' : '',
			q1($node, "SELECT raw_ascii FROM probe_detect_decode('$e->{version}')"),
			"$label: unsupported_protocol $e->{version}: bytes as probe_detect_decode() says");
	}
	return;
}

# The traffic.  First nmap -sV, alone, for the scan verdict.
my $nmap = have('nmap');
SKIP:
{
	skip 'nmap is not installed: no nmap -sV traffic, no scan verdict', 1 unless $nmap;
	my $out = run_tool(100, 'nmap', '-sV', '-Pn', '-n', '--max-retries', '1',
		'--host-timeout', '90s', '-p', $port, '127.0.0.1');
	note $out;
	like($out, qr/$port\/tcp\s+open/, 'nmap found the port open');
}
my $after_nmap = snapshot('nmap');
my $nmap_source = module_source();

SKIP:
{
	skip 'curl is not installed', 1 unless have('curl');
	run_tool(20, 'curl', '-s', '-m', '5', "http://127.0.0.1:$port/");
	pass('curl ran');
}
SKIP:
{
	skip 'ssh is not installed', 1 unless have('ssh');
	run_tool(20, 'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5',
		'-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
		'-p', $port, 'nobody@127.0.0.1', 'true');
	pass('ssh ran');
}
# SMB1 negotiate with its NetBIOS length word: version word 65363.19778
send_probe($node, "\0\0\0\xa4\xffSMBr" . ("\0" x 159));
# a start-up packet without a user, and one without its terminator (whose
# names PostgreSQL has read by then: the module keeps them)
for my $body ("database\0postgres\0\0", "user\0bob\0database\0db1\0")
{
	send_probe($node, pack('NN', 8 + length $body, 0x00030000) . $body);
}

# hydra: 16 wrong passwords for alice
my $hydra = have('hydra');
SKIP:
{
	skip 'hydra is not installed', 1 unless $hydra;
	open(my $fh, '>', "$tmp/words") or die;
	print $fh "word$_\n" for 1 .. 16;
	close $fh;
	# hydra's postgres module gives libpq no port: PGPORT does
	local $ENV{PGPORT} = $port;
	my $out = run_tool(60, 'hydra', '-l', 'alice', '-P', "$tmp/words", '-s', $port,
		'-t', '4', '-I', '127.0.0.1', 'postgres');
	note $out;
	like($out, qr/\b16 login tries/, 'hydra tried 16 passwords');
}

ok(login(user => 'alice', password => "wrong$_") != 0, "psql: wrong password $_") for 1 .. 3;
ok(login(user => 'nobody', password => 'wrong') != 0, 'psql: a role that does not exist');
ok(login(user => 'alice', password => 'alicepw', db => 'rejectdb') != 0, 'psql: pg_hba.conf reject line');
ok(login(user => 'alice', password => 'alicepw', db => 'nosuchdb') != 0, 'psql: unknown database');
ok(login(user => 'alice') != 0, 'psql without a password: abandoned, no log line');

# A name with a quote and a newline, and a forged message after it
my $evil = qq{ev"il\nFATAL:  unsupported frontend protocol 1.2};
my $evil_esc = q{ev"il\x0aFATAL:  unsupported frontend protocol 1.2};
like(login_from($node, '127.0.0.1', $evil, 'wrong', database => 'evildb'),
	qr/password authentication failed/, 'a forged name: wrong password');
# a real role, a database name with a newline: a guesser's way to break
# stderr lines
like(login_from($node, '127.0.0.1', 'carol', 'wrong', database => "post\ngres"),
	qr/password authentication failed/, 'carol, a database name with a newline: wrong password');

# SQL text is logged (log_statement = all), newlines and all: a message in
# it is no event
q1($node, qq{SELECT \$\$\nFATAL:  password authentication failed for user "forged"\n\$\$});

my $final = snapshot('end');
my @module = module_events();
my $source = module_source();
$stderr_log = join '', map { slurp_file($_) } @{ $final->{stderr} };
note 'module: ' . join("\n", map { ev_str($_, @all_fields) } @module);
note 'module, every event: ' . q1($node, q{
	SELECT event_id, client_addr, client_port, kind, protocol_version, raw_ascii, tool
	  FROM probe_detect_events ORDER BY event_id});
note "module source: events=$source->{events} failed_logins=$source->{failed_logins} "
  . "users=@{$source->{users}} verdict=$source->{verdict}";

# The module saw what was sent, or the comparisons below prove little.
my %mk = %{ count_kinds(@module) };
my $fails = ($hydra ? 16 : 0) + 6;
cmp_ok($mk{auth_failed} // 0, '>=', $fails, "module: at least $fails auth_failed");
is(join(',', map { $mk{$_} // 0 } qw(hba_rejected unknown_database missing_user invalid_layout)),
	'1,1,1,1', 'module: one hba_rejected, unknown_database, missing_user and invalid_layout');
cmp_ok(scalar(grep { $_->{version} eq '65363.19778' } @module), '>=', $nmap ? 2 : 1,
	'module: the SMB version word, from nmap -sV and from raw bytes');
ok(scalar(grep { $_->{user} eq $evil_esc && $_->{kind} eq 'auth_failed' } @module),
	'module: the forged name, escaped');
like($nmap_source->{verdict}, qr/nmap -sV service scan/, 'module: nmap -sV recognised after the scan')
  if $nmap;
like($source->{verdict}, qr/password guessing/, 'module: password guessing after hydra')
  if $hydra;

# The events from each format, as JSON.
my %runs;
for my $dest (@dests)
{
	my $label = "$dest, --format=json";
	my @recs = json_records($label, logscan($label, [ '--format=json', @{ $final->{$dest} } ]));
	$runs{$dest} = [ by_host(@recs) ];
	my ($server) = grep { $_->{record} eq 'server' } @recs;
	ok($server, "$label: a server record");
	note "$label: " . $json->encode($server) if $server;
}
# stderr again, told the prefix
{
	my $label = 'stderr, --prefix, --log-format=stderr';
	$runs{'stderr+prefix'} = [ by_host(json_records($label,
		logscan($label, [ '--format=json', '--log-format=stderr', "--prefix=$prefix",
			@{ $final->{stderr} } ]))) ];
}

for my $run (sort keys %runs)
{
	my ($ev, $src) = @{ $runs{$run} };
	note "$run: " . join("\n", map { ev_str($_, @all_fields) } @$ev);
	my $stderr = $run =~ /^stderr/;
	my @prog = map { {%$_} } @$ev;
	if ($stderr)
	{
		# PostgreSQL wrote these names raw into the prefix (%u@%d), newline
		# and all: say what came of them; each is still one failed login, of
		# the user its message names; compare the rest
		for my $m (grep { "$_->{user} $_->{database}" =~ /\\x0a/ } @module)
		{
			my @e = grep { ($_->{port} // '') eq $m->{port} } @prog;
			note "$run: user $m->{user}, database $m->{database} came out as: "
			  . join(', ', map { ev_str($_, @all_fields) } @e);
			is(join(',', map { $_->{kind} } @e), 'auth_failed',
				"$run: a newline in the prefix's names: still one auth_failed (port $m->{port})");
			is($e[0]{user}, $m->{user}, "$run: ... of user $m->{user}")
			  if @e && $m->{user} !~ /\\x0a/;
			@$_{qw(user database)} = @$m{qw(user database)} for @e;
		}
	}
	compare_with_module($run, \@prog, \@module);
	ok(!grep({ ($_->{version} // '') eq '1.2' } @$ev), "$run: no event forged by the name");
	# every event came from 127.0.0.1: none from the statement's text
	is(join("\n", map { ev_str($_, 'host', @all_fields) } @{ $runs{$run}[2] }), '',
		"$run: no event from anywhere else");

	ok($src, "$run: a source record for 127.0.0.1") or next;
	is($src->{verdict}, $source->{verdict}, "$run: the verdict is the module's");
	is($src->{failed_logins}, $source->{failed_logins}, "$run: failed logins are the module's");
	my $unlogged = grep { !logged_kind($_->{kind}) } @module;
	is($src->{events}, $source->{events} - $unlogged,
		"$run: events of the source are the module's, less $unlogged without a log line");
	my %kinds = %{ count_kinds(grep { logged_kind($_->{kind}) } @module) };
	is_deeply($src->{kinds}, \%kinds, "$run: kinds of the source are the module's");
	# the module's users but those only of abandoned logins (no log line)
	my %logged = map { ($_->{user} => 1) } grep { logged_kind($_->{kind}) } @module;
	my $plain = sub { [ grep { !/^ev"il/ } @_ ] };
	my @want = grep { $logged{$_} } @{ $source->{users} };
	is_deeply($stderr ? $plain->(sort @{ $src->{users} // [] }) : [ sort @{ $src->{users} // [] } ],
		$stderr ? $plain->(@want) : \@want,
		"$run: users tried are the module's" . ($stderr ? ' (the forged name aside)' : ''));
	ok(scalar(grep { $_ eq 'alice' } @{ $src->{users} // [] }), "$run: hydra's and psql's user alice");
	ok(scalar(grep { $_ eq 'nobody' } @{ $src->{users} // [] }), "$run: psql's user nobody");
}

# The formats agree with each other, the forged name included (but in
# stderr, where PostgreSQL broke it over lines).
{
	my $str = sub { [ sort map { ev_str($_, @all_fields) } @{ $runs{ $_[0] }[0] } ] };
	my @others = grep { $_ ne 'csvlog' && $_ !~ /^stderr/ } sort keys %runs;
	is_deeply($str->($_), $str->('csvlog'), "$_ and csvlog: the same events") for @others;
	my $nouser = sub {
		[ sort map { ev_str($_, qw(port pid kind version protocol tool database)) } @{ $runs{ $_[0] }[0] } ]
	};
	is_deeply($nouser->($_), $nouser->('csvlog'), "$_ and csvlog: the same events (users aside)")
	  for grep { /^stderr/ } sort keys %runs;
	for my $run (grep { $_ !~ /^stderr/ } sort keys %runs)
	{
		is(scalar(grep { ($_->{user} // '') eq $evil_esc && $_->{kind} eq 'auth_failed' } @{ $runs{$run}[0] }),
			1, "$run: the forged name escaped as the module does");
	}
}

# The scan verdict from the log up to the end of nmap's run
SKIP:
{
	skip 'nmap is not installed', 2 unless $nmap;
	for my $dest (@dests)
	{
		my ($ev, $src) = by_host(json_records("$dest up to nmap's end",
			logscan("$dest up to nmap's end", [ '--format=json', @{ $after_nmap->{$dest} } ])));
		is($src && $src->{verdict}, $nmap_source->{verdict},
			"$dest up to nmap's end: the verdict is the module's then ($nmap_source->{verdict})");
	}
}

# CSV events, and the sources table
for my $dest (@dests)
{
	my $label = "$dest, --format=csv --report=events";
	my ($rows, $err) = parse_csv(logscan($label, [ '--format=csv', '--report=events', @{ $final->{$dest} } ]));
	ok(!$err, "$label: RFC 4180") or diag $err;
	my $head = shift @$rows // [];
	# the interface's columns first (more may follow: nmap_probe)
	my @cols = qw(time host port pid kind version bytes protocol tool user database scan);
	is(join(',', @$head[ 0 .. $#cols ]), join(',', @cols), "$label: header");
	my @ev;
	for my $r (@$rows)
	{
		my %e;
		@e{@$head} = @$r;
		push @ev, \%e if ($e{host} // '') eq '127.0.0.1';
	}
	my $key = $dest eq 'stderr' ? 'stderr' : $dest;
	is_deeply([ sort map { ev_str($_, @all_fields) } @ev ],
		[ sort map { ev_str($_, @all_fields) } @{ $runs{$key}[0] } ],
		"$label: the events of --format=json");
}
{
	my $label = 'csvlog, --format=csv --report=sources';
	my ($rows, $err) = parse_csv(logscan($label, [ '--format=csv', '--report=sources', @{ $final->{csvlog} } ]));
	ok(!$err, "$label: RFC 4180") or diag $err;
	my $head = shift @$rows // [];
	my @cols = qw(host first last events failed_logins users kinds protocols verdict);
	is(join(',', @$head[ 0 .. $#cols ]), join(',', @cols), "$label: header");
	my ($r) = grep { $_->[0] eq '127.0.0.1' } @$rows;
	my $src = $runs{csvlog}[1];
	is(join('|', map { $_ // '' } @{ $r // [] }[ 3, 4, 8 ]), join('|', map { $src->{$_} // '' } qw(events failed_logins verdict)),
		"$label: events, failed logins, verdict as in JSON");
	like($r ? $r->[5] : '', qr/(?:^| )alice(?: |$)/, "$label: users has alice");
}

# The text report
for my $dest (@dests)
{
	my $label = "$dest, text";
	my $out = logscan($label, [ @{ $final->{$dest} } ]);
	# the headings may say how many ("events (41)")
	my ($events, $sources, $server) =
	  $out =~ /^events\b[^\n]*\n(.*?)^sources\b[^\n]*\n(.*?)^server\b[^\n]*\n(.*)\z/ms;
	ok(defined $server, "$label: events, sources and server sections") or next;
	my %n;
	$n{$1}++ while $events =~ /^\S.*?\s127\.0\.0\.1(?::\d+)?\s+([a-z_]+)\b/mg;
	is_deeply(\%n, count_kinds(@{ $runs{$dest}[0] }), "$label: events per kind as in JSON");
	my $verdict = $runs{$dest}[1] ? $runs{$dest}[1]{verdict} : '';
	like($sources, qr/^127\.0\.0\.1\b[^\n]*\Q$verdict\E$/m, "$label: source line with its verdict")
	  if $verdict;
}

# The same log gzipped, and on standard input
{
	my $gz = "$tmp/csvlog.gz";
	gzip($final->{csvlog}[0] => $gz) or die "gzip: $GzipError";
	my ($ev) = by_host(json_records('csvlog.gz', logscan('csvlog.gz', [ '--format=json', $gz ])));
	is_deeply([ sort map { ev_str($_, @all_fields) } @$ev ],
		[ sort map { ev_str($_, @all_fields) } @{ $runs{csvlog}[0] } ], 'csvlog.gz: the same events');
	my ($ev2) = by_host(json_records('stderr on stdin',
		logscan('stderr on stdin', [ '--format=json', '-' ], $stderr_log)));
	is_deeply([ sort map { ev_str($_, @all_fields) } @$ev2 ],
		[ sort map { ev_str($_, @all_fields) } @{ $runs{stderr}[0] } ], 'stderr on stdin: the same events');
}

# Hostile input: a 1 MB line, binary garbage, real event lines between them,
# a truncated last line.
{
	my ($line) = grep { /\(\d+\) FATAL:  unsupported frontend protocol 65363\.19778:/ } split /\n/, $stderr_log;
	my ($pfx) = $line =~ /^(.*?\) )FATAL/;
	my $again = sub { my $p = shift; $line =~ s/127\.0\.0\.1\(\d+\)/127.0.0.1($p)/r };
	srand(20);
	my $garbage = join('', map { chr(int(rand(256))) } 1 .. 65536);
	my $copy = $stderr_log
	  . $pfx . 'LOG:  ' . ('A' x (1 << 20)) . "\n"
	  . $again->(1) . "\n"
	  . $garbage . "\n"
	  . "\0\0\0\xff\xfe\r\n"
	  . $again->(2) . "\n"
	  . substr($line, 0, int(length($line) * 0.6));
	my $file = "$tmp/hostile.log";
	open(my $fh, '>:raw', $file) or die;
	print $fh $copy;
	close $fh;
	my ($ev) = by_host(json_records('hostile copy', logscan('hostile copy', [ '--format=json', $file ])));
	my @want = sort map { ev_str($_, @all_fields) } @{ $runs{stderr}[0] };
	my @got = sort map { ev_str($_, @all_fields) } grep { ($_->{port} // '') !~ /^[12]$/ } @$ev;
	is_deeply(\@got, \@want, 'hostile copy: the original events are all there, and no other');
	is(join(',', sort map { $_->{port} } grep { ($_->{port} // '') =~ /^[12]$/ } @$ev), '1,2',
		'hostile copy: the lines after the long line and after the garbage are read');
	my ($st, $out) = run_logscan([ $file ]);
	is($st, 0, 'hostile copy, text: exit status 0');
	ok($out =~ /\A[\x20-\x7e\n]*\z/, 'hostile copy, text: the output is printable ASCII');
}

# csvlog and jsonlog: garbage, then a record cut short
for my $dest (grep { $_ ne 'stderr' } @dests)
{
	my $log = join '', map { slurp_file($_) } @{ $final->{$dest} };
	my ($rec) = grep { /unsupported frontend protocol 65363\.19778/ } split /\n/, $log;
	srand(21);
	my $file = "$tmp/hostile-$dest";
	open(my $fh, '>:raw', $file) or die;
	print $fh $log, join('', map { chr(int(rand(256))) } 1 .. 65536), "\n",
	  substr($rec, 0, int(length($rec) * 0.6));
	close $fh;
	my ($ev) = by_host(json_records("hostile $dest", logscan("hostile $dest", [ '--format=json', $file ])));
	is_deeply([ sort map { ev_str($_, @all_fields) } @$ev ],
		[ sort map { ev_str($_, @all_fields) } @{ $runs{$dest}[0] } ],
		"hostile $dest: the original events, and no other");
}

ok(!grep({ /terminated by signal|exited with exit code [2-9]|PANIC/ } split /\n/, $stderr_log),
	'no crash in the server log');
$node->stop;
done_testing();
