# Turns TLS 1.3 off for OpenSSL only, as a workaround for an old
# middlebox.
protocol@openssl = -TLS1.3
