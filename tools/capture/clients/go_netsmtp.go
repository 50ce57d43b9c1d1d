// Go net/smtp against the sink: print err.Error() and %#v of the error
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"runtime"
	"strings"
	"time"
)

func esc(s string) string {
	return strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\r", "\\r", "\n", "\\n").Replace(s)
}
func out(c, f, t string) { fmt.Printf("%s\t%s\t%s\n", c, f, esc(t)) }

type plainAuth struct{ user, pass string }

// like smtp.PlainAuth but without its TLS/localhost guard (the sink is plain text on 127.0.0.1)
func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}
func (a plainAuth) Next([]byte, bool) ([]byte, error) { return nil, nil }

func run(port, snd, rcpt, user string) error {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 3*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		return err
	}
	defer c.Close()
	if err = c.Hello("client.capture.test"); err != nil {
		return err
	}
	if user != "-" {
		if err = c.Auth(plainAuth{user + "@sink.test", "wrong-password"}); err != nil {
			return err
		}
	}
	if err = c.Mail(snd); err != nil {
		return err
	}
	if err = c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprint(w, "Subject: client test\r\n\r\nbody\r\n")
	if err = w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func main() {
	fmt.Printf("#version\tGo net/smtp (%s)\n", runtime.Version())
	f, _ := os.Open(os.Args[1])
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ln := sc.Text()
		if strings.HasPrefix(ln, "#") || strings.TrimSpace(ln) == "" {
			continue
		}
		x := strings.Split(ln, "\t")
		if err := run(x[1], x[2], x[3], x[4]); err != nil {
			out(x[0], "Error()", err.Error())
			out(x[0], "%#v", fmt.Sprintf("%#v", err))
		} else {
			out(x[0], "result", "no error")
		}
	}
}
