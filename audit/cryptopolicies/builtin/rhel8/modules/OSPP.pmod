# OSPP: narrows FIPS to the Common Criteria OSPP profile: no HMAC-SHA1,
# no AES-128 or CCM ciphers, no P-256 or FFDHE-2048 groups, no TLS 1.3 and
# keys of 3072 bits or more. Source: policies/modules/OSPP.pmod of the
# fedora-crypto-policies repository.
mac = -HMAC-SHA1
group = -SECP256R1 -FFDHE-2048
hash = -SHA2-224 -SHA3-*
sign = -*-SHA2-224 -ECDSA-SHA2-256
cipher = -AES-*-CCM -AES-128-*
protocol@TLS = -TLS1.3
min_dh_size = 3072
min_rsa_size = 3072
arbitrary_dh_groups = 0
