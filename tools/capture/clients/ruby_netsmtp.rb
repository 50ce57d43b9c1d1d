# Ruby net/smtp against the sink: print e.class, e.message and e.inspect
require 'net/smtp'
def esc(t) t.to_s.gsub('\\', '\\\\\\\\').gsub("\t", '\t').gsub("\r", '\r').gsub("\n", '\n') end
def out(c, f, t) puts "#{c}\t#{f}\t#{esc(t)}" end
puts "#version\tnet-smtp #{Net::SMTP::VERSION} (ruby #{RUBY_VERSION})"
File.readlines(ARGV[0]).each do |ln|
  next if ln.start_with?('#') || ln.strip.empty?
  c, port, snd, rcpt, user = ln.chomp.split("\t")
  begin
    smtp = Net::SMTP.new('127.0.0.1', port.to_i)
    smtp.open_timeout = 3; smtp.read_timeout = 3
    args = user == '-' ? ['client.capture.test'] : ['client.capture.test', "#{user}@sink.test", 'wrong-password', :plain]
    smtp.start(*args) do |s|
      s.send_message("Subject: client test\r\n\r\nbody\r\n", snd, rcpt)
    end
    out(c, 'result', 'no exception')
  rescue Exception => e
    out(c, 'class', e.class)
    out(c, 'message', e.message)
    out(c, 'inspect', e.inspect)
  end
end
