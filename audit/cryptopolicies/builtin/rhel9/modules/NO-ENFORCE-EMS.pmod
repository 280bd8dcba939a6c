# NO-ENFORCE-EMS: lets FIPS mode accept TLS 1.2 peers without the extended
# master secret extension (RFC 7627).
__ems = RELAX
