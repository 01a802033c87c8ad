#!/usr/bin/perl
# eval/score.pl TOOLS RESULTS CORPUS: the evaluation's figures, as Markdown.
#
# For each set (dev, heldout, all) and mode (live, replay):
#   protocol named  rows whose events name the expected protocol (any
#                   protocol for nmap -sV's "*"), over the rows that sent
#                   something (corpus.tsv: a byte on some connection);
#                   also over the rows whose protocol the classifier has a
#                   name for (pd_labels.c)
#   tool named      rows whose events name the expected tool family, over
#                   the rows that sent something and whose bytes carry a
#                   name (tool column not "-")
#   wrong protocol  events naming a protocol that the row does not speak
#   wrong tool      events naming a tool family other than the row's
#   legit events    legitimate PostgreSQL clients that left any event
# The set column is checked against its rule (md5 of the name).
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use FindBin;

my ($tools_f, $results_f, $corpus_f) = @ARGV;
die "usage: score.pl TOOLS RESULTS CORPUS\n" unless $corpus_f;

# The classifier's protocol names and tool families, read from pd_labels.c
# (the one list; nothing copied here): its protocols less "other" and
# "unknown", and the tool names whose family is not their own first word.
my (%label, %alias);
{
	my $labels_c = "$FindBin::RealBin/../pd_labels.c";
	open(my $lf, '<', $labels_c) or die "$labels_c: $!";
	my $c = do { local $/; <$lf> };
	close $lf;
	my ($protos) = $c =~ /pd_protocol_labels\[[^\]]*\]\s*=\s*\{(.*?)\};/s
	  or die "no protocol list in $labels_c";
	%label = map { $_ => 1 } grep { $_ ne 'other' && $_ ne 'unknown' } $protos =~ /"([^"]+)"/g;
	my ($aliases) = $c =~ /pd_tool_aliases\[\]\s*=\s*\{(.*?)\};/s
	  or die "no tool aliases in $labels_c";
	%alias = $aliases =~ /\{"([^"]+)",\s*"([^"]+)"\}/g;
}

# A tool's family: its first word, lowercase, as pd_labels.c's
# pd_tool_family() takes it.
sub family
{
	my ($t) = @_;
	return '' if !defined $t || $t eq '' || $t eq '-';
	my ($w) = lc($t) =~ m{^([^ /]*)};
	return $alias{$w} // $w;
}

# tools.tsv
my (@rows, %row);
open(my $fh, '<', $tools_f) or die "$tools_f: $!";
my @h;
while (<$fh>)
{
	chomp;
	next if /^#/ || !length;
	my @f = split /\t/, $_, -1;
	if (!@h) { @h = @f; next; }
	my %r;
	@r{@h} = @f;
	my $want = hex(substr(md5_hex($r{name}), 0, 2)) < 0x9a ? 'dev' : 'heldout';
	die "row $r{name}: set $r{set}, but its rule says $want\n" if $r{set} ne $want;
	$r{protos} = { map { $_ => 1 } split /,/, $r{protocol} };
	push @rows, \%r;
	$row{ $r{name} } = \%r;
}
close $fh;

# corpus.tsv: did the row send a byte?
my (%sent, %conns);
open($fh, '<', $corpus_f) or die "$corpus_f: $!";
while (<$fh>)
{
	next if /^#|^name\t/;
	my ($name, $i, $len) = split /\t/;
	$sent{$name} = 1 if $len > 0;
	$conns{$name}++ if $len > 0;
}
close $fh;

# results.tsv: name mode kind protocol tool detail raw_offset raw_length
my %ev;
open($fh, '<', $results_f) or die "$results_f: $!";
while (<$fh>)
{
	chomp;
	my ($name, $mode, $kind, $proto, $tool, $detail) = split /\t/, $_, -1;
	next unless $row{$name};
	$ev{$mode}{$name} //= [];
	next if $kind eq 'none';
	push @{ $ev{$mode}{$name} },
	  { kind => $kind, protocol => $proto, tool => $tool, detail => $detail };
}
close $fh;
my @modes = grep { $ev{$_} } qw(live replay);

# Judge each row in each mode.
my %j;
for my $mode (@modes)
{
	for my $r (@rows)
	{
		my $evs = $ev{$mode}{ $r->{name} } or next;
		my %o = (ran => 1, events => scalar @$evs);
		my $p = $r->{protocol};
		for my $e (@$evs)
		{
			my $ep = $e->{protocol};
			if ($ep ne '' && $ep ne 'unknown' && $ep ne 'other')
			{
				if ($p eq '*' || $r->{protos}{$ep}) { $o{proto_hit} = 1; }
				elsif ($p ne 'legit') { push @{ $o{wrong} }, $ep; }
			}
			my $ft = family($e->{tool});
			if ($ft ne '')
			{
				# the row's tool, by its name or by its family
				if ($ft eq $r->{tool} || lc($e->{tool}) eq $r->{tool}
					|| $ft eq family($r->{tool})) { $o{tool_hit} = 1; }
				else { push @{ $o{wrong_tool} }, $e->{tool}; }
			}
		}
		$o{got} = join(' ', map { ($_->{protocol} || '-') . '/' . (family($_->{tool}) || '-') }
			@$evs[ 0 .. ($#$evs < 2 ? $#$evs : 2) ]) . (@$evs > 3 ? ' +' . (@$evs - 3) : '');
		$j{$mode}{ $r->{name} } = \%o;
	}
}

sub pct
{
	my ($a, $b) = @_;
	return $b ? sprintf('%d/%d (%.1f%%)', $a, $b, 100 * $a / $b) : '0/0';
}

my $out = '';
$out .= "# probe_detect: evaluation results\n\n";
$out .= "Made by `make eval` (eval/run.sh); method, definitions and caveats in docs/evaluation.md.\n";
$out .= "Rows: " . scalar(@rows) . " programs/invocations in eval/tools.tsv ("
  . scalar(grep { $_->{set} eq 'dev' } @rows) . " dev, "
  . scalar(grep { $_->{set} eq 'heldout' } @rows) . " heldout), "
  . scalar(grep { $_->{protocol} eq 'legit' } @rows) . " of them legitimate PostgreSQL clients.\n";
$out .= "$ENV{EVAL_STAMP}\n" if $ENV{EVAL_STAMP};
$out .= "\n## Figures\n\n";
$out .= "| set | mode | protocol named | protocol named, classifier has the name | tool named | wrong protocol (rows) | wrong tool (rows) | legit clients with events |\n";
$out .= "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
for my $set (qw(dev heldout all))
{
	for my $mode (@modes)
	{
		my ($pn, $pd, $ln, $ld, $tn, $td, $wr, $wt, $lg, $lt) = (0) x 10;
		for my $r (@rows)
		{
			next if $set ne 'all' && $r->{set} ne $set;
			my $o = $j{$mode}{ $r->{name} } or next;
			if ($r->{protocol} eq 'legit')
			{
				$lt++;
				$lg++ if $o->{events};
				next;
			}
			$wr++ if $o->{wrong};
			$wt++ if $o->{wrong_tool};
			next unless $sent{ $r->{name} } && $r->{protocol} ne '-';
			$pd++;
			$pn++ if $o->{proto_hit};
			my $named = $r->{protocol} eq '*' || grep { $label{$_} } keys %{ $r->{protos} };
			if ($named)
			{
				$ld++;
				$ln++ if $o->{proto_hit};
			}
			if ($r->{tool} ne '-')
			{
				$td++;
				$tn++ if $o->{tool_hit};
			}
		}
		$out .= "| $set | $mode | " . pct($pn, $pd) . ' | ' . pct($ln, $ld) . ' | ' . pct($tn, $td)
		  . " | $wr | $wt | " . ($mode eq 'live' ? "$lg of $lt" : "n/a ($lg of $lt)") . " |\n";
	}
}

$out .= "\n## Wrong protocols\n\n";
my $any = 0;
for my $mode (@modes)
{
	for my $r (@rows)
	{
		my $o = $j{$mode}{ $r->{name} } or next;
		next unless $o->{wrong};
		my %c;
		$c{$_}++ for @{ $o->{wrong} };
		$out .= "- $mode `$r->{name}` ($r->{set}, speaks $r->{protocol}): named "
		  . join(', ', map { "$_ x$c{$_}" } sort keys %c) . "\n";
		$any = 1;
	}
}
$out .= "none\n" unless $any;

$out .= "\n## Legitimate PostgreSQL clients that left events\n\n"
  . "Live is the test. A replay sends only a client's first packet and hangs up, which is what an "
  . "abandoned login looks like: its events are listed for information.\n\n";
$any = 0;
for my $mode (@modes)
{
	for my $r (grep { $_->{protocol} eq 'legit' } @rows)
	{
		my $evs = $ev{$mode}{ $r->{name} } or next;
		next unless @$evs;
		$out .= "- $mode `$r->{name}` ($r->{set}): "
		  . join('; ', map { "$_->{kind} $_->{protocol} $_->{detail}" } @$evs[0 .. ($#$evs < 2 ? $#$evs : 2)]) . "\n";
		$any = 1;
	}
}
$out .= "none\n" unless $any;

$out .= "\n## Wrong tools\n\n";
$any = 0;
for my $mode (@modes)
{
	for my $r (@rows)
	{
		my $o = $j{$mode}{ $r->{name} } or next;
		next unless $o->{wrong_tool};
		my %c;
		$c{$_}++ for @{ $o->{wrong_tool} };
		$out .= "- $mode `$r->{name}` (bytes name: $r->{tool}): " . join(', ', map { "$_ x$c{$_}" } sort keys %c) . "\n";
		$any = 1;
	}
}
$out .= "none\n" unless $any;

$out .= "\n## Misses\n\nRows that sent something and were not named right in some mode "
  . "(P: protocol missed, T: tool missed); got: up to three events as protocol/tool family.\n\n";
$out .= "| row | set | expected | live | replay |\n| --- | --- | --- | --- | --- |\n";
for my $r (@rows)
{
	next if $r->{protocol} eq 'legit' || $r->{protocol} eq '-' || !$sent{ $r->{name} };
	my @cells;
	my $miss = 0;
	for my $mode (qw(live replay))
	{
		my $o = $j{$mode}{ $r->{name} };
		if (!$o) { push @cells, 'not run'; next; }
		my $m = '';
		$m .= 'P' unless $o->{proto_hit};
		$m .= 'T' if $r->{tool} ne '-' && !$o->{tool_hit};
		$miss = 1 if $m;
		push @cells, ($m ? "**$m** " : 'ok ') . ($o->{events} ? $o->{got} : 'no event');
	}
	next unless $miss;
	$out .= "| $r->{name} | $r->{set} | $r->{protocol} / $r->{tool} | " . join(' | ', @cells) . " |\n";
}

$out .= "\n## Rows that sent nothing first\n\n";
$out .= "| row | set | expected | live | replay |\n| --- | --- | --- | --- | --- |\n";
for my $r (@rows)
{
	next if $r->{protocol} eq 'legit' || ($sent{ $r->{name} } && $r->{protocol} ne '-');
	my @cells = map {
		my $o = $j{$_}{ $r->{name} };
		!$o ? 'not run' : $o->{events} ? $o->{got} : 'no event'
	} qw(live replay);
	$out .= "| $r->{name} | $r->{set} | $r->{protocol} | " . join(' | ', @cells) . " |\n";
}
print $out;
