import * as tls from 'tls';

// A TypeScript server pinned to TLS 1.0 and 1.1.
const options: tls.TlsOptions = { secureProtocol: 'TLSv1_1_server_method' };

export function start(): tls.Server {
  return tls.createServer(options);
}
