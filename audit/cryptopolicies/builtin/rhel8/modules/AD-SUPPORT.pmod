# AD-SUPPORT: Kerberos encryption types for Active Directory domains that
# were not yet moved to newer types. It changes Kerberos only, so no TLS
# back end sees it. Source: policies/modules/AD-SUPPORT.pmod of the
# fedora-crypto-policies repository.
cipher@kerberos = RC4-128+
hash@kerberos = MD5+
