#!/usr/bin/perl
# Perl Net::SMTP against the sink: print $smtp->message, $smtp->code and $@ / $! texts.
use strict; use warnings; use Net::SMTP; use MIME::Base64;
sub esc { my $t = shift // ''; $t =~ s/\\/\\\\/g; $t =~ s/\t/\\t/g; $t =~ s/\r/\\r/g; $t =~ s/\n/\\n/g; $t }
sub out { print "$_[0]\t$_[1]\t" . esc($_[2]) . "\n" }
print "#version\tNet::SMTP $Net::SMTP::VERSION\n";
open(my $fh, '<', $ARGV[0]) or die;
while (my $ln = <$fh>) {
    next if $ln =~ /^#/ || $ln !~ /\S/; chomp $ln;
    my ($c, $port, $snd, $rcpt, $user) = split /\t/, $ln;
    my $s = Net::SMTP->new('127.0.0.1', Port => $port, Timeout => 3, Hello => 'client.capture.test');
    if (!$s) { out($c, 'new-failed $@', $@); out($c, 'new-failed $!', "$!"); next; }
    my $ok = 1;
    if ($user ne '-') {
        # Net::SMTP::auth needs Authen::SASL; send AUTH PLAIN by hand
        my $tok = encode_base64("\0$user\@sink.test\0wrong-password", '');
        $ok = $s->command('AUTH', 'PLAIN', $tok)->response() == 2;   # CMD_OK
        if (!$ok) { out($c, 'message', scalar $s->message); out($c, 'code', $s->code); $s->quit; next; }
    }
    for my $step (['mail', $snd], ['to', $rcpt], ['data'], ['datasend', "Subject: client test\r\n\r\nbody\r\n"], ['dataend']) {
        my ($m, @a) = @$step;
        if (!$s->$m(@a)) { out($c, "$m() failed: message", scalar $s->message); out($c, "$m() failed: code", $s->code); $ok = 0; last; }
    }
    out($c, 'result', 'no error') if $ok;
    $s->quit;
}
