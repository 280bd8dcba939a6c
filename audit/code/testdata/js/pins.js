#!/usr/bin/env node
'use strict';
// TLS pins for the code audit tests. tls.createServer({minVersion: 'TLSv1'}) in a comment is no pin.
const tls = require('tls');
const https = require('https');

/* secureProtocol: 'TLSv1_method' in a block comment is no pin. */
const server = tls.createServer({
  minVersion: 'TLSv1',
  maxVersion: 'TLSv1.1',
});

https.request('https://127.0.0.1/', { secureProtocol: 'TLSv1_method' });

tls.DEFAULT_MAX_VERSION = 'TLSv1.2';

const agent = new https.Agent({ "minVersion": "TLSv1.1" });

function traps(name) {
  const msg = 'minVersion: \'TLSv1\' is disabled';
  const template = `minVersion: 'TLSv1' ${name + `nested ${"}"} maxVersion: 'TLSv1'`} done`;
  const re = /minVersion: 'TLSv1'/g;
  const ratio = 4 / 2 / 1;
  const TLSv1 = { minVersion: name };
  return [msg, template, re, ratio, TLSv1, server, agent];
}

module.exports = { traps };

const serverOptions = { maxVersion: 'TLSv1.2' };
tls.createServer(serverOptions).listen(8443, '127.0.0.1');
