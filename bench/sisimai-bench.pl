#!/usr/bin/perl
# sisimai-bench.pl - how fast Sisimai's string classifier reads the benchmark corpus.
#
#   perl bench/sisimai-bench.pl FILE [-n PASSES] [-w WARMUP]
#
# FILE holds one reply per line, escaped as bench/corpus/replies.txt is: the
# record escapes \r \n \t \\ are decoded here as smtpreply-bench decodes them
# (common/record.h); any other backslash is kept with the byte after it.
# Each string goes through Sisimai::Reason->match($string), Sisimai's
# classifier for a bare diagnostic string (libsisimai-perl: it lowercases the
# text and tries each Sisimai::Reason::* class's match() in a fixed order).
# Prints "name: value" lines, like smtpreply-bench.  Times come from
# Time::HiRes with CLOCK_MONOTONIC (strings_per_cpu_second: the process's CPU
# time, CLOCK_PROCESS_CPUTIME_ID); nothing is asserted.
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC CLOCK_PROCESS_CPUTIME_ID);

my ($file, $passes, $warmup) = (undef, 0, 1);
while (@ARGV) {
    my $a = shift @ARGV;
    if    ($a eq '-n') { $passes = shift @ARGV // die "sisimai-bench: -n needs a number\n" }
    elsif ($a eq '-w') { $warmup = shift @ARGV // die "sisimai-bench: -w needs a number\n" }
    elsif ($a eq '-h' || $a eq '--help') { print "usage: sisimai-bench.pl FILE [-n PASSES] [-w WARMUP]\n"; exit 0 }
    elsif (!defined $file) { $file = $a }
    else  { die "sisimai-bench: unexpected argument $a\n" }
}
die "usage: sisimai-bench.pl FILE [-n PASSES] [-w WARMUP]\n" unless defined $file;

eval { require Sisimai::Reason; 1 } or do {
    print STDERR "sisimai-bench: Sisimai is not installed (Debian package libsisimai-perl): $@";
    exit 3;
};

my %esc = (r => "\r", n => "\n", t => "\t", '\\' => "\\");
my @lines;
open(my $fh, '<:raw', $file) or die "sisimai-bench: cannot open $file: $!\n";
while (my $l = <$fh>) {
    $l =~ s/[\r\n]+\z//;
    next if $l eq '';
    $l =~ s/\\([rnt\\])/$esc{$1}/g;
    push @lines, $l;
}
close $fh;
die "sisimai-bench: $file holds no lines\n" unless @lines;
my $bytes = 0;
$bytes += length($_) for @lines;

my $sink = 0;
sub pass {
    my $n = 0;
    for my $s (@lines) {
        my $r = Sisimai::Reason->match($s);
        $n++ if defined $r && $r ne "" && $r ne "undefined";
    }
    return $n;
}

pass() for 1 .. $warmup;       # also loads every Sisimai::Reason::* module
my $t0 = clock_gettime(CLOCK_MONOTONIC);
my $matched = pass();
my $one = clock_gettime(CLOCK_MONOTONIC) - $t0;
$one = 1e-6 if $one <= 0;
$passes = int(1.0 / $one + 0.5) || 1 if !$passes;   # about 1 s

$t0 = clock_gettime(CLOCK_MONOTONIC);
my $c0 = clock_gettime(CLOCK_PROCESS_CPUTIME_ID);
$sink += pass() for 1 .. $passes;
my $dt = clock_gettime(CLOCK_MONOTONIC) - $t0;
my $dc = clock_gettime(CLOCK_PROCESS_CPUTIME_ID) - $c0;

printf "classifier: Sisimai::Reason->match (Sisimai %s, Perl %vd)\n", ($Sisimai::VERSION // (eval { require Sisimai; $Sisimai::VERSION } // '?')), $^V;
printf "strings: %d\n", scalar @lines;
printf "bytes: %d\n", $bytes;
printf "matched: %d\n", $matched;   # strings given a reason other than "undefined"
printf "passes: %d\n", $passes;
printf "strings_per_second: %.0f\n", $passes * @lines / $dt;
printf "strings_per_cpu_second: %.0f\n", $passes * @lines / $dc if $dc > 0;   # process CPU time
printf "ns_per_string: %.1f\n", $dt * 1e9 / ($passes * @lines);
printf "ns_per_byte: %.3f\n", $dt * 1e9 / ($passes * $bytes);
