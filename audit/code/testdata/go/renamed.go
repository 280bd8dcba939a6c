package pins

import gotls "crypto/tls"

func renamed() *gotls.Config {
	return &gotls.Config{MinVersion: gotls.VersionTLS11, MaxVersion: gotls.VersionTLS11}
}
