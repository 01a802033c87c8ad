#!/usr/bin/perl
# Generates classify/nmap_table.c: fingerprints of nmap's TCP service probes, so
# the classifier can name the exact probe without carrying nmap's payloads.
# Each fingerprint is the probe's length and an FNV-1a hash of up to 64
# bytes after its first four (which PostgreSQL consumes as a length word).
#
#   perl scripts/gen_nmap_table.pl /usr/share/nmap/nmap-service-probes > classify/nmap_table.c
use strict;
use warnings;
no warnings 'portable';    # 64-bit hash constants

# Our protocol id for the probes whose protocol is unambiguous.
my %protocol = (
	GetRequest => 'http', HTTPOptions => 'http', FourOhFourRequest => 'http',
	OfficeScan => 'http', 'apple-iphoto' => 'http', RTSPRequest => 'rtsp',
	RPCCheck => 'onc-rpc', DNSVersionBindReqTCP => 'dns',
	DNSStatusRequestTCP => 'dns', Hello => 'smtp', SSLSessionReq => 'tls',
	TLSSessionReq => 'tls', SSLv23SessionReq => 'tls',
	TerminalServerCookie => 'rdp', TerminalServer => 'rdp',
	Kerberos => 'kerberos', SMBProgNeg => 'smb1', X11Probe => 'x11',
	LDAPSearchReq => 'ldap', LDAPBindReq => 'ldap', SIPOptions => 'sip',
	DistCCD => 'distcc', JavaRMI => 'java-rmi', 'oracle-tns' => 'oracle-tns',
	Socks5 => 'socks5', Socks4 => 'socks4', 'ms-sql-s' => 'mssql',
	HELP4STOMP => 'stomp', Memcache => 'memcached', ajp => 'ajp',
	'ibm-db2' => 'db2', 'ibm-db2-das' => 'db2', drda => 'drda',
	informix => 'informix', 'ibm-mqseries' => 'mqseries', 'hp-pjl' => 'pjl',
	afp => 'afp', NCP => 'ncp', LPDString => 'lpd', Radmin => 'radmin',
	NessusTPv12 => 'nessus', NessusTPv11 => 'nessus', NessusTPv10 => 'nessus',
	firebird => 'firebird', ZendJavaBridge => 'zend-java-bridge',
	'pervasive-relational' => 'pervasive', 'pervasive-btrieve' => 'pervasive',
	WMSRequest => 'mms', NotesRPC => 'notes-rpc', 'LANDesk-RC' => 'landesk',
	mongodb => 'mongodb', redis => 'redis', Memcache => 'memcached',
	'DNS-SD-TCP' => 'dns', MikroTik_Winbox => 'winbox',
	MikroTik_Winbox_Legacy => 'winbox', 'redis-server' => 'redis',
	'couchbase-data' => 'memcached', giop => 'giop', pcworx => 'pcworx',
	'niagara-fox' => 'niagara-fox', mqtt => 'mqtt',
);

sub unescape
{
	my ($s) = @_;
	my %simple = ('0' => "\0", r => "\r", n => "\n", t => "\t",
		a => "\a", f => "\f", v => "\x0b");
	$s =~ s/\\(x([0-9A-Fa-f]{2})|.)/defined $2 ? chr(hex $2) : ($simple{$1} \/\/ $1)/gse;
	return $s;
}

sub fnv1a
{
	my ($bytes) = @_;
	use integer;
	my $h = 0xcbf29ce484222325;
	for my $c (unpack('C*', $bytes))
	{
		$h ^= $c;
		$h = ($h * 0x100000001b3) & 0xffffffffffffffff;
	}
	no integer;
	return sprintf('%016x', $h);
}

# Several nmap-service-probes files, newest first: a probe that a newer nmap
# added, dropped or changed stays known in every version.  Identical
# fingerprints are kept once.
my @files = @ARGV ? @ARGV : ('/usr/share/nmap/nmap-service-probes');
my (@rows, %seen, @sources);
for my $file (@files)
{
	open(my $fh, '<', $file) or die "$file: $!";
	while (my $line = <$fh>)
	{
		next unless $line =~ /^Probe TCP (\S+) q\|(.*)\|/;
		my ($name, $payload) = ($1, unescape($2));
		my $rest = length($payload) - 4;
		# Too little after the length word to be nmap's alone, or bytes a real
		# client sends verbatim (an X11 client without authorization).
		next if $rest < 8 || $name eq 'X11Probe';
		my $need = $rest < 64 ? $rest : 64;
		my $row = sprintf("\t{\"%s\", %s, %d, %d, UINT64_C(0x%s)},",
			$name, defined $protocol{$name} ? "\"$protocol{$name}\"" : 'NULL',
			length($payload), $need, fnv1a(substr($payload, 4, $need)));
		push @rows, $row unless $seen{$row}++;
	}
	close $fh;
}
my $count = @rows;

print <<"HEAD";
/*-------------------------------------------------------------------------
 *
 * nmap_table.c
 *	  Fingerprints of nmap's TCP service probes (generated; do not edit).
 *
 * Made by scripts/gen_nmap_table.pl (make nmap-table) from the
 * nmap-service-probes of every nmap Debian ships, newest first: $count
 * fingerprints.  Only lengths and hashes are kept, not the probes.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

const PdNmapProbe pd_nmap_probes[] = {
HEAD
print join("\n", @rows), "\n";
print <<"TAIL";
};

const int	pd_nmap_probe_count = sizeof(pd_nmap_probes) / sizeof(pd_nmap_probes[0]);
TAIL
