# SHA1: allows SHA-1 hashes and signatures again, certificates included.
# Source: policies/modules/SHA1.pmod of the fedora-crypto-policies
# repository.
hash = SHA1+
sign = ECDSA-SHA1+ RSA-PSS-SHA1+ RSA-SHA1+
sha1_in_certs = 1
__openssl_block_sha1_signatures = 0
