# NO-SHA1: removes SHA-1 from hashes and signatures. Source:
# policies/modules/NO-SHA1.pmod of the fedora-crypto-policies repository.
hash = -SHA1
sign = -*-SHA1
sha1_in_certs = 0
__openssl_block_sha1_signatures = 1
