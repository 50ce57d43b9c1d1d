<?php
// PHPMailer against the sink: print ErrorInfo, the exception message and getSMTPInstance()->getError()
require '/usr/share/php/libphp-phpmailer/autoload.php';
use PHPMailer\PHPMailer\PHPMailer;
function esc($t) { return str_replace(["\\", "\t", "\r", "\n"], ["\\\\", "\\t", "\\r", "\\n"], (string)$t); }
function out($c, $f, $t) { echo "$c\t$f\t" . esc($t) . "\n"; }
echo "#version\tPHPMailer " . PHPMailer::VERSION . "\n";
foreach (file($argv[1]) as $ln) {
    if ($ln[0] === '#' || trim($ln) === '') continue;
    [$c, $port, $snd, $rcpt, $user] = explode("\t", rtrim($ln, "\n"));
    $m = new PHPMailer(true);
    $m->isSMTP(); $m->Host = '127.0.0.1'; $m->Port = (int)$port; $m->Timeout = 3;
    $m->SMTPAutoTLS = false; $m->SMTPSecure = '';
    if ($user !== '-') { $m->SMTPAuth = true; $m->Username = "$user@sink.test"; $m->Password = 'wrong-password'; }
    $m->setFrom($snd); $m->addAddress($rcpt); $m->Subject = 'client test'; $m->Body = 'body';
    try { $m->send(); out($c, 'result', 'no exception'); }
    catch (Exception $e) {
        out($c, 'exception', $e->getMessage());
        out($c, 'ErrorInfo', $m->ErrorInfo);
        $err = $m->getSMTPInstance()->getError();
        foreach (['error', 'detail', 'smtp_code', 'smtp_code_ex'] as $k) if (!empty($err[$k])) out($c, "getError()[$k]", $err[$k]);
    }
}
