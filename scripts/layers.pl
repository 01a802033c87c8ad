#!/usr/bin/perl
# The module's files form layers that only point down: no cycle among them,
# through #include of our own headers or through calls.  A module is a .c
# file with its .h; its include edges come from both files, its call edges
# from nm of its object (an undefined symbol that another object defines).
# Prints the order, bottom first, and every cycle; exits 1 if there is one.
#
#   perl scripts/layers.pl [--quiet] [OBJ...]   (default: the module's objects,
#   after make; --quiet prints only cycles and the summary)
use strict;
use warnings;
use File::Basename qw(basename dirname);

my $quiet = @ARGV && $ARGV[0] eq '--quiet' ? shift @ARGV : 0;
my @objs = @ARGV ? @ARGV : grep { !/^bench|^test|^unit/ } glob('*.o classify/*.o logscan/*.o');
die "no objects: run make first\n" unless @objs;
my %mod = map { my $m = $_; $m =~ s/\.o$//; ($m => 1) } @objs;
my (%edge, %defs, %why);

sub module_of
{
	my ($path) = @_;
	(my $m = $path) =~ s/\.[ch]$//;
	return $m;
}

# includes: "x.h" resolved beside the includer or at the top
for my $m (keys %mod)
{
	for my $f ("$m.c", "$m.h")
	{
		next unless -f $f;
		open(my $fh, '<', $f) or die "$f: $!";
		while (<$fh>)
		{
			next unless /^\s*#\s*include\s+"([^"]+)"/;
			my $inc = $1;
			my $p = -f (dirname($f) . "/$inc") ? dirname($f) . "/$inc" : $inc;
			$p =~ s{^\./}{};
			my $t = module_of($p);
			next if $t eq $m;
			next unless $mod{$t} || -f $p;
			$edge{$m}{$t} = 1;
			$why{"$m $t"} //= "includes $inc";
		}
	}
}

# calls and data: nm
for my $m (keys %mod)
{
	for (`nm -g --defined-only $m.o`)
	{
		$defs{$1} = $m if /\s[A-TV-Z]\s+(\S+)$/;
	}
}
for my $m (keys %mod)
{
	for (`nm -u $m.o`)
	{
		next unless /\sU\s+(\S+)$/;
		my $t = $defs{$1};
		next unless defined $t && $t ne $m;
		$edge{$m}{$t} = 1;
		$why{"$m $t"} //= "uses $1";
	}
}

# a header without a .c of its own (pd_kind.h, pd_compat.h) is a leaf
my %all = map { $_ => 1 } keys %mod, map { keys %$_ } values %edge;

# cycles: Tarjan's strongly connected components
my ($index, @stack, %on, %idx, %low, @sccs) = (0);
sub strong
{
	my ($v) = @_;
	$idx{$v} = $low{$v} = $index++;
	push @stack, $v;
	$on{$v} = 1;
	for my $w (sort keys %{ $edge{$v} // {} })
	{
		if (!defined $idx{$w}) { strong($w); $low{$v} = $low{$w} if $low{$w} < $low{$v}; }
		elsif ($on{$w}) { $low{$v} = $idx{$w} if $idx{$w} < $low{$v}; }
	}
	if ($low{$v} == $idx{$v})
	{
		my @c;
		my $w;
		do { $w = pop @stack; delete $on{$w}; push @c, $w } while ($w ne $v);
		push @sccs, [ sort @c ];
	}
}
for (sort keys %all) { strong($_) unless defined $idx{$_}; }

my @cycles = grep { @$_ > 1 } @sccs;
# Tarjan emits components bottom first
unless ($quiet)
{
	print "layers, bottom first:\n";
	print '  ', join(' ', @$_), "\n" for @sccs;
}
for my $c (@cycles)
{
	my %in = map { $_ => 1 } @$c;
	print "CYCLE: @$c\n";
	for my $a (@$c)
	{
		for my $b (sort keys %{ $edge{$a} })
		{
			print "  $a -> $b ($why{\"$a $b\"})\n" if $in{$b};
		}
	}
}
printf "layers: %d files, %d arrows, %d cycles\n", scalar(keys %all),
  scalar(map { keys %$_ } values %edge), scalar @cycles;
print @cycles ? "0 passed, 1 failed\n" : "1 passed, 0 failed\n";
exit(@cycles ? 1 : 0);
