# NO-CAMELLIA: removes every Camellia cipher.
cipher = -CAMELLIA-*
