# Helpers shared by probe_detect's TAP tests: a preloaded node listening on
# loopback, and a client that sends raw bytes and waits for the server to
# hang up (by then the server has recorded the event).
package ProbeDetect;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IO::Socket::INET;
use IO::Socket::IP;
use IO::Socket::UNIX;
use IO::Select;
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use Time::HiRes qw(time);

our @EXPORT = qw(probe_node have_ipv6 send_probe open_probe nmap_unescape
  nmap_probe events_by_port events_where hexstr
  set_conf postmaster_pid startup_children pg_major psql_conn
  login_from server_cert have q1 set_hba logscan_bin run_logscan);

# Is a command installed?
sub have
{
	my ($cmd) = @_;
	return IPC::Run::run([ 'sh', '-c', "command -v $cmd" ], '>', \my $out);
}

# One query's output, in the postgres database.
sub q1
{
	my ($node, $sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

# Replace pg_hba.conf with "local all all trust" and the given lines, and
# reload (unless the node is not running yet).
sub set_hba
{
	my ($node, @lines) = @_;
	open(my $fh, '>', $node->data_dir . '/pg_hba.conf') or die "pg_hba.conf: $!";
	print $fh join("\n", 'local all all trust', @lines), "\n";
	close $fh;
	$node->reload if -f $node->data_dir . '/postmaster.pid';
	return;
}

# Is ::1 usable on this host?
sub have_ipv6
{
	my $s = IO::Socket::IP->new(
		LocalAddr => '::1',
		LocalPort => 0,
		Listen => 1,
		Family => AF_INET6);
	return 0 unless $s;
	close $s;
	return 1;
}

# A started node with probe_detect preloaded and the extension created.
# Extra postgresql.conf lines may be passed in $opts{conf}; with
# $opts{nmap_quiet_port}, it listens on a port that no nmap service probe
# names as its own, so that nmap -sV sends its probes in their usual order
# (it tries the probes that list the port first, and stops at a match).
sub probe_node
{
	my ($name, %opts) = @_;
	my @port;
	if ($opts{nmap_quiet_port})
	{
		my %named;
		if (open(my $fh, '<', '/usr/share/nmap/nmap-service-probes'))
		{
			while (my $l = <$fh>)
			{
				next unless $l =~ /^(?:ssl)?ports (\S+)/;
				for my $p (split /,/, $1)
				{
					my ($lo, $hi) = $p =~ /^(\d+)(?:-(\d+))?$/ or next;
					$named{$_} = 1 for $lo .. ($hi // $lo);
				}
			}
			close $fh;
		}
		my $port;
		do { $port = PostgreSQL::Test::Cluster::get_free_port() } while $named{$port};
		@port = (port => $port);
	}
	# 13's Cluster is its PostgresNode, whose new() takes no port parameter
	my $node = PostgreSQL::Test::Cluster->can('get_new_node')
	  ? PostgreSQL::Test::Cluster::get_new_node($name, @port)
	  : PostgreSQL::Test::Cluster->new($name, @port);
	my $listen = have_ipv6() ? '127.0.0.1,::1' : '127.0.0.1';

	$node->init;
	$node->append_conf(
		'postgresql.conf', qq{
shared_preload_libraries = 'probe_detect'
listen_addresses = '$listen'
max_connections = 100
log_min_messages = info
# one event per occurrence, which most tests count; t/018 tests repeats
probe_detect.repeat_window = 0
} . ($opts{conf} // ''));
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION probe_detect');
	return $node;
}

# Connect to the node over 'tcp4', 'tcp6' or 'unix', from a given local
# address if one is passed.
sub open_probe
{
	my ($node, $via, $from) = @_;
	$via //= 'tcp4';
	if ($via eq 'unix')
	{
		my $s = IO::Socket::UNIX->new(
			Type => SOCK_STREAM(),
			Peer => $node->host . '/.s.PGSQL.' . $node->port);
		die "unix connect: $!" unless $s;
		return $s;
	}
	my $host = $via eq 'tcp6' ? '::1' : '127.0.0.1';
	my $s = IO::Socket::IP->new(
		PeerHost => $host,
		PeerPort => $node->port,
		(defined $from ? (LocalHost => $from) : ()),
		Proto => 'tcp');
	die "connect to $host: $@" unless $s;
	return $s;
}

# Send bytes on a fresh connection (from $opts{from}, a loopback address, if
# given), half-close if asked, and read until the server closes (at most
# $opts{timeout} seconds).  With $opts{then}, wait for the server's one-byte
# answer (to an SSLRequest, say) and send those too.  Returns the local port
# (undef over a Unix socket) and what the server replied.
sub send_probe
{
	my ($node, $bytes, %opts) = @_;
	my $sock = open_probe($node, $opts{via}, $opts{from});
	my $port = ($opts{via} // 'tcp4') eq 'unix' ? undef : $sock->sockport;
	my $reply = '';

	$sock->autoflush(1);
	syswrite($sock, $bytes) if length $bytes;
	my $sel = IO::Select->new($sock);
	my $deadline = time + ($opts{timeout} // 10);
	if (defined $opts{then})
	{
		# wait for the one-byte answer to a request, then send the rest
		if ($sel->can_read($deadline - time) && sysread($sock, my $b, 1))
		{
			$reply .= $b;
			syswrite($sock, $opts{then});
		}
	}
	shutdown($sock, 1) if $opts{half_close};
	while (time < $deadline)
	{
		last unless $sel->can_read($deadline - time);
		my $n = sysread($sock, my $buf, 4096);
		last unless $n;
		$reply .= $buf;
	}
	close $sock;
	return ($port, $reply);
}

# Decode a q|...| string from nmap-service-probes.
sub nmap_unescape
{
	my ($s) = @_;
	my %simple = (
		'0' => "\0",
		'r' => "\r",
		'n' => "\n",
		't' => "\t",
		'a' => "\a",
		'f' => "\f",
		'v' => "\x0b",
		'\\' => '\\',
		'|' => '|');
	$s =~ s/\\(x([0-9A-Fa-f]{2})|.)/
	  defined $2 ? chr(hex $2) : ($simple{$1} \/\/ $1)/gse;
	return $s;
}

# A TCP probe's bytes by name, from the installed nmap-service-probes, or
# undef if nmap is not installed.
sub nmap_probe
{
	my ($name) = @_;
	my $file = '/usr/share/nmap/nmap-service-probes';
	open(my $fh, '<', $file) or return undef;
	while (my $line = <$fh>)
	{
		return nmap_unescape($1) if $line =~ /^Probe TCP \Q$name\E q\|(.*)\|/;
	}
	return undef;
}

# Rows of probe_detect_events for one client port, as hashes.
sub events_by_port
{
	my ($node, $port) = @_;
	return events_where($node, "client_port = $port");
}

# Rows of probe_detect_events matching an SQL condition, as hashes.
sub events_where
{
	my ($node, $where) = @_;
	my $out = $node->safe_psql(
		'postgres', qq{
SELECT coalesce(host(client_addr), ''), coalesce(client_port, -1), kind,
       coalesce(protocol_version, ''), coalesce(encode(raw_bytes, 'hex'), ''),
       coalesce(raw_offset, -1), coalesce(raw_ascii, ''), message
  FROM probe_detect_events WHERE $where ORDER BY event_id});
	my @rows;
	for my $line (split /\n/, $out)
	{
		my @f = split /\|/, $line, 8;
		push @rows,
		  {
			addr => $f[0],
			port => $f[1],
			kind => $f[2],
			version => $f[3],
			hex => $f[4],
			offset => $f[5],
			ascii => $f[6],
			message => $f[7]
		  };
	}
	return @rows;
}

# Set a SIGHUP setting and wait until the server uses it.
sub set_conf
{
	my ($node, $name, $value) = @_;
	$node->append_conf('postgresql.conf', "$name = '$value'");
	$node->reload;
	$node->poll_query_until('postgres', "SELECT current_setting('$name') = '$value'")
	  or die "$name did not become $value";
}

# The postmaster's pid: the first line of postmaster.pid.
sub postmaster_pid
{
	my ($node) = @_;
	open(my $fh, '<', $node->data_dir . '/postmaster.pid') or die $!;
	my $pid = <$fh>;
	close $fh;
	chomp $pid;
	return $pid;
}

# Children of the postmaster that have not read a start-up packet yet: they
# still carry the postmaster's own command line, while every other child
# has retitled itself "postgres: ...".  A zombie has an empty command line.
sub startup_children
{
	my ($postmaster) = @_;
	my @pids;
	opendir(my $dh, '/proc') or die;
	for my $pid (grep { /^\d+$/ } readdir $dh)
	{
		open(my $st, '<', "/proc/$pid/stat") or next;
		my $stat = <$st> // '';
		close $st;
		next unless $stat =~ /\) \S+ (\d+)/ && $1 == $postmaster;
		open(my $cl, '<', "/proc/$pid/cmdline") or next;
		my $cmd = <$cl> // '';
		close $cl;
		push @pids, $pid if $cmd ne '' && $cmd !~ /^postgres: /;
	}
	closedir $dh;
	return @pids;
}

# psql with a connection string of its own, never prompting for a password:
# ($exit_code, $stdout, $stderr).  (PostgreSQL::Test::Cluster's psql()
# ignores connstr on 13.)
sub psql_conn
{
	my ($node, $connstr, $sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-w', '-d', $connstr, '-c', $sql ],
		'<', \'', '>', \$out, '2>', \$err, IPC::Run::timeout(180));
	$h->finish;
	chomp $out;
	chomp $err;
	return ($h->result(0), $out, $err);
}

# A login with a clear-text password (a pg_hba.conf "password" line) from a
# chosen loopback source address, spoken by hand: 'ok' if the server let it
# in, else the message of its ErrorResponse ('' if it just hung up).  More
# start-up parameters (database, application_name, ...) may follow; the
# names are sent as given, newlines and all.
sub login_from
{
	my ($node, $src, $user, $password, %params) = @_;
	my $s = IO::Socket::IP->new(
		PeerHost => '127.0.0.1',
		PeerPort => $node->port,
		LocalHost => $src,
		Proto => 'tcp') or die "connect from $src: $@";
	$params{database} //= 'postgres';
	my $body = "user\0$user\0"
	  . join('', map { "$_\0$params{$_}\0" } sort keys %params) . "\0";
	syswrite($s, pack('NN', 8 + length $body, 0x00030000) . $body);
	my ($buf, $result) = ('', '');
	my $sel = IO::Select->new($s);
	READ: while ($sel->can_read(10))
	{
		last unless sysread($s, my $b, 4096);
		$buf .= $b;
		while (length($buf) >= 5)
		{
			my ($type, $len) = unpack('a N', $buf);
			last if length($buf) < 1 + $len;
			my $msg = substr($buf, 5, $len - 4);
			$buf = substr($buf, 1 + $len);
			if ($type eq 'R' && unpack('N', $msg) == 3)
			{
				syswrite($s, 'p' . pack('N', 5 + length $password) . "$password\0");
			}
			elsif ($type eq 'E')
			{
				($result) = $msg =~ /M([^\0]*)\0/;
				last READ;
			}
			elsif ($type eq 'Z')
			{
				$result = 'ok';
				syswrite($s, 'X' . pack('N', 4));
				last READ;
			}
		}
	}
	close $s;
	return $result // '';
}

# A self-signed certificate for localhost, made by openssl, as the node's
# server.crt and server.key (ssl itself is left to the caller).
sub server_cert
{
	my ($node) = @_;
	my $dir = $node->data_dir;
	my ($o, $oe) = ('', '');
	IPC::Run::run([ 'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
			'-keyout', "$dir/server.key", '-out', "$dir/server.crt", '-days', '2',
			'-subj', '/CN=localhost' ], '>', \$o, '2>', \$oe)
	  or die "openssl: $oe";
	chmod 0600, "$dir/server.key";
	return;
}

# The major version of the server under test (13, 15, 17, ...): the
# postgres that PGXS's installcheck puts first on PATH.
sub pg_major
{
	my $v = `postgres -V`;
	$v =~ /\(PostgreSQL\) (\d+)/ or die "cannot tell the server version from: $v";
	return $1;
}

# probe_detect_logscan: $ENV{PROBE_DETECT_LOGSCAN}, else the one built in
# this tree, else the installed one (pg_config --bindir); undef if none.
sub logscan_bin
{
	return $ENV{PROBE_DETECT_LOGSCAN} if $ENV{PROBE_DETECT_LOGSCAN};
	my $built = dirname(__FILE__) . '/../logscan/probe_detect_logscan';
	return $built if -x $built;
	my $bindir = `pg_config --bindir`;
	chomp $bindir;
	return -x "$bindir/probe_detect_logscan" ? "$bindir/probe_detect_logscan" : undef;
}

# Run probe_detect_logscan with these arguments and standard input, for at
# most 60 s: ($status, $stdout, $stderr), $status as in $? (-1: timed out).
sub run_logscan
{
	my ($args, $stdin) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ logscan_bin(), @$args ],
		'<', \($stdin // ''), '>', \$out, '2>', \$err, IPC::Run::timeout(60));
	unless (eval { $h->finish; 1 })
	{
		$h->kill_kill;
		return (-1, $out, $err);
	}
	return ($h->full_result(0), $out, $err);
}

sub hexstr
{
	return unpack('H*', $_[0]);
}

1;
