# TLS pins for the code audit tests. ssl_version = :TLSv1 in a comment is no pin.
require 'net/http'
require 'openssl'

=begin
http.ssl_version = :TLSv1 in an =begin block is no pin.
=end

def legacy(uri)
  http = Net::HTTP.new(uri.host, uri.port)
  http.use_ssl = true
  http.ssl_version = :TLSv1
  http
end

def context
  ctx = OpenSSL::SSL::SSLContext.new
  ctx.min_version = OpenSSL::SSL::TLS1_VERSION
  ctx.max_version = OpenSSL::SSL::TLS1_1_VERSION
  ctx
end

def start(uri)
  Net::HTTP.start(uri.host, uri.port, use_ssl: true, ssl_version: :TLSv1_1) { |h| h }
end

def traps(name)
  message = "ssl_version = :TLSv1 is #{name.empty? ? "off" : "on"}"
  words = %w[ssl_version :TLSv1]
  text = <<~TEXT
    http.ssl_version = :TLSv1
  TEXT
  ratio = 4 / 2
  [message, words, text, ratio, %q(ssl_version = :TLSv1)]
end

# A constant named like a protocol is no pin.
TLSv1 = :unrelated
