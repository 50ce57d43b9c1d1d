#!/usr/bin/perl
# sisimai-bounce-bench.pl - how fast Sisimai reads whole bounce mails.
#
#   perl bench/sisimai-bounce-bench.pl DIR [-s SECONDS]
#
# Every file under DIR but *.tsv, *.md and LICENSE* is read into memory first
# (the same files bench/bounce-bench reads); then Sisimai->make(\$mail,
# delivered => 1) is called on each in turn, repeated for about SECONDS
# (default 2) of CPU time: Sisimai's whole pipeline on a mail in memory (MIME,
# its MTA modules, its reason classifier), as bounce-bench times ours.
# Prints "name: value" lines; nothing is asserted.
use strict;
use warnings;
use File::Find;
use Time::HiRes qw(clock_gettime CLOCK_PROCESS_CPUTIME_ID);

my ($dir, $seconds) = (undef, 2.0);
while (@ARGV) {
    my $a = shift @ARGV;
    if ($a eq '-s') { $seconds = shift @ARGV // die "sisimai-bounce-bench: -s needs a number\n" }
    elsif (!defined $dir) { $dir = $a }
    else { die "sisimai-bounce-bench: unexpected argument $a\n" }
}
die "usage: sisimai-bounce-bench.pl DIR [-s SECONDS]\n" unless defined $dir;
eval { require Sisimai; 1 } or do {
    print STDERR "sisimai-bounce-bench: Sisimai is not installed (Debian package libsisimai-perl): $@";
    exit 3;
};

my @paths;
find({ wanted => sub {
    return unless -f $_;
    return if /\.tsv$/ || /\.md$/ || /^LICENSE/;
    push @paths, $File::Find::name;
}, no_chdir => 0 }, $dir);
@paths = sort @paths;
my @mails;
my $bytes = 0;
for my $p (@paths) {
    open(my $fh, '<:raw', $p) or next;
    local $/;
    my $m = <$fh>;
    close $fh;
    $m //= '';
    push @mails, $m;
    $bytes += length $m;
}
die "sisimai-bounce-bench: no mails under $dir\n" unless @mails;

my $records = 0;
sub pass {
    my $n = 0;
    for my $m (@mails) {
        next unless length $m;
        my $r = eval { Sisimai->make(\$m, 'delivered' => 1) };
        $n += scalar @$r if ref $r;
    }
    return $n;
}

$records = pass();    # warm-up: loads every module
# CPU time of this process, as bounce-bench counts its thread's
my ($done, $t0) = (0, clock_gettime(CLOCK_PROCESS_CPUTIME_ID));
my $t;
do {
    pass();
    $done += scalar @mails;
    $t = clock_gettime(CLOCK_PROCESS_CPUTIME_ID) - $t0;
} while ($t < $seconds);

printf "library: Sisimai %s\n", Sisimai->version;
printf "mails: %d\n", scalar @mails;
printf "mail_bytes: %d\n", $bytes;
printf "records_per_pass: %d\n", $records;
printf "mails_per_second: %.0f\n", $done / $t;
printf "ns_per_mail: %.0f\n", $t / $done * 1e9;
