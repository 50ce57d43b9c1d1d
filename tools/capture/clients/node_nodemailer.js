// nodemailer against the sink: print err.message, err.response, err.code, err.responseCode, err.command
const fs = require('fs');
const nodemailer = require(process.env.NODEMAILER_DIR + '/node_modules/nodemailer');
const esc = s => String(s).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
const out = (c, f, t) => console.log(`${c}\t${f}\t${esc(t)}`);
console.log('#version\tnodemailer ' + require(process.env.NODEMAILER_DIR + '/node_modules/nodemailer/package.json').version);
(async () => {
  for (const ln of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
    if (!ln.trim() || ln.startsWith('#')) continue;
    const [c, port, snd, rcpt, user] = ln.split('\t');
    const opts = { host: '127.0.0.1', port: +port, secure: false, ignoreTLS: true,
                   connectionTimeout: 3000, greetingTimeout: 3000, socketTimeout: 3000 };
    if (user !== '-') opts.auth = { user: user + '@sink.test', pass: 'wrong-password' };
    try {
      const t = nodemailer.createTransport(opts);
      const info = await t.sendMail({ from: snd, to: rcpt, subject: 'client test', text: 'body' });
      out(c, 'result', 'no error: ' + info.response);
      if (info.rejected && info.rejected.length) out(c, 'rejectedErrors', (info.rejectedErrors || []).map(e => e.message).join(' | '));
    } catch (e) {
      out(c, 'message', e.message);
      for (const k of ['code', 'response', 'responseCode', 'command']) if (e[k] !== undefined) out(c, k, e[k]);
      if (e.rejectedErrors) e.rejectedErrors.forEach((r, i) => out(c, 'rejectedErrors[' + i + '].message', r.message));
    }
  }
})();
