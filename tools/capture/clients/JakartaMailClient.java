// Jakarta Mail against the sink: print exception class, getMessage(), toString(), nested exceptions
import jakarta.mail.*;
import jakarta.mail.internet.*;
import java.nio.file.*;
import java.util.*;
public class JakartaMailClient {
    static String esc(Object o) { return String.valueOf(o).replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n"); }
    static void out(String c, String f, Object t) { System.out.println(c + "\t" + f + "\t" + esc(t)); }
    public static void main(String[] a) throws Exception {
        System.out.println("#version\tJakarta Mail " + Session.class.getPackage().getImplementationVersion());
        for (String ln : Files.readAllLines(Paths.get(a[0]))) {
            if (ln.startsWith("#") || ln.isBlank()) continue;
            String[] f = ln.split("\t");
            String c = f[0];
            Properties p = new Properties();
            p.put("mail.smtp.host", "127.0.0.1"); p.put("mail.smtp.port", f[1]);
            p.put("mail.smtp.connectiontimeout", "3000"); p.put("mail.smtp.timeout", "3000");
            p.put("mail.smtp.localhost", "client.capture.test");
            boolean auth = !f[4].equals("-");
            if (auth) p.put("mail.smtp.auth", "true");
            Session s = Session.getInstance(p);
            try {
                MimeMessage m = new MimeMessage(s);
                m.setFrom(new InternetAddress(f[2])); m.setRecipients(Message.RecipientType.TO, f[3]);
                m.setSubject("client test"); m.setText("body");
                if (auth) Transport.send(m, f[4] + "@sink.test", "wrong-password"); else Transport.send(m);
                out(c, "result", "no exception");
            } catch (Exception e) {
                int depth = 0;
                for (Throwable t = e; t != null && depth < 4; depth++) {
                    String pre = depth == 0 ? "" : "cause" + depth + ".";
                    out(c, pre + "class", t.getClass().getName());
                    out(c, pre + "getMessage", t.getMessage());
                    if (t instanceof com.sun.mail.smtp.SMTPAddressFailedException x) out(c, pre + "getReturnCode", x.getReturnCode());
                    if (t instanceof com.sun.mail.smtp.SMTPSendFailedException x) out(c, pre + "getReturnCode", x.getReturnCode());
                    if (t instanceof com.sun.mail.smtp.SMTPSenderFailedException x) out(c, pre + "getReturnCode", x.getReturnCode());
                    Throwable n = (t instanceof MessagingException me) ? me.getNextException() : null;
                    t = n != null ? n : (t.getCause() != t ? t.getCause() : null);
                }
            }
        }
    }
}
