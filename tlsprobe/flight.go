package tlsprobe

import (
	"fmt"
)

// ParseServerFlight parses the bytes a server sent in response to a
// ClientHello: records, the handshake messages in them (fragmented over
// records or several to a record), and alerts, up to the end of the first
// flight (see ServerFlight.Complete). Whole records after the end are read
// for alerts only, and a partial record after the end is ignored, because a
// reader stops at an arbitrary byte.
//
// An answer that is only alerts gives a flight with a nil ServerHello and the
// alerts. ParseServerFlight returns a *ParseError, and a nil flight, when the
// bytes are not TLS, are malformed, or end before the flight does.
func ParseServerFlight(data []byte) (*ServerFlight, error) {
	st := parseFlightStream(data)
	switch st.status {
	case flightComplete:
		return st.flight, nil
	case flightNeedMore:
		return nil, st.incompleteError(data)
	case flightNotTLS:
		return nil, newParseError(data, 0, "record.content_type", "first byte 0x%02x is not a TLS record content type", data[0])
	}
	return nil, st.err
}

type flightStatus int

const (
	// flightNeedMore: the bytes end before the flight does.
	flightNeedMore flightStatus = iota
	// flightComplete: the flight ended (see ServerFlight.Complete), or a
	// parser with stopAtServerHello set parsed the ServerHello.
	flightComplete
	// flightNotTLS: the first byte is not a TLS record content type.
	flightNotTLS
	// flightMalformed: err gives the field and offset where the bytes
	// break TLS.
	flightMalformed
)

// flightState is the outcome of parsing a prefix of the server's stream.
type flightState struct {
	status flightStatus
	// flight is nil until a ServerHello or an alert was read.
	flight *ServerFlight
	err    *ParseError
	// midRecord reports, for flightNeedMore, that the bytes end inside a
	// record. recordAt and recordLen give its offset and length (-1 inside
	// the header).
	midRecord bool
	recordAt  int
	recordLen int
	// midMessage reports, for flightNeedMore, that the bytes end inside a
	// handshake message.
	midMessage bool
	// expecting names what the parser waits for, for messages.
	expecting string
}

// incompleteError describes a stream that ends before the flight does.
func (st *flightState) incompleteError(data []byte) *ParseError {
	switch {
	case st.midRecord && st.recordLen < 0:
		return newParseError(data, st.recordAt, "record.header", "stream ends inside a record header, after %d of %d bytes", len(data)-st.recordAt, recordHeaderLen)
	case st.midRecord:
		return newParseError(data, st.recordAt, "record.fragment", "stream ends inside a record, after %d of %d bytes", len(data)-st.recordAt-recordHeaderLen, st.recordLen)
	case st.midMessage:
		return newParseError(data, len(data), "handshake", "stream ends inside a handshake message, before %s", st.expecting)
	}
	return newParseError(data, len(data), "handshake", "stream ends before %s", st.expecting)
}

// hsFragment maps a stretch of the handshake stream (record headers
// removed) to its position in the raw stream.
type hsFragment struct {
	hsStart, rawStart, n int
}

// flightParser parses a server's stream record by record, one parser per
// connection. After each read, feed takes the bytes read so far and parses
// only the records that completed since the last call. So a server that
// sends its flight in small pieces costs work in proportion to the flight,
// not to its square.
type flightParser struct {
	data      []byte
	hs        []byte
	fragments []hsFragment
	hsPos     int // start of the next unparsed handshake message in hs
	// off is the start in data of the first record not yet parsed.
	off    int
	flight *ServerFlight
	done   bool
	err    *ParseError
	// warnings and helloRequests count the messages of those kinds, which
	// are bounded by maxIgnoredMessages.
	warnings      int
	helloRequests int
	// handshakeRecords counts the handshake records, bounded by
	// maxHandshakeRecords.
	handshakeRecords int

	// stopAtServerHello ends the parse at the ServerHello or
	// HelloRetryRequest, and stoppedAtServerHello records that the flight
	// went on after it (TLS 1.2 and earlier) but was not parsed.
	stopAtServerHello    bool
	stoppedAtServerHello bool
	// final is the state of the first call that did not return
	// flightNeedMore, and ended records that such a call happened.
	final flightState
	ended bool
}

// rawOffset maps an offset in the handshake stream to the raw stream.
func (fp *flightParser) rawOffset(hsOff int) int {
	for _, f := range fp.fragments {
		if hsOff >= f.hsStart && hsOff < f.hsStart+f.n {
			return f.rawStart + hsOff - f.hsStart
		}
	}
	if n := len(fp.fragments); n > 0 {
		last := fp.fragments[n-1]
		return last.rawStart + last.n
	}
	return 0
}

func (fp *flightParser) malformed(offset int, field, format string, args ...any) {
	if fp.err == nil {
		fp.err = newParseError(fp.data, offset, field, format, args...)
	}
}

// parseFlightStream parses data in one call. It gives the state that a
// flightParser fed the same bytes in any number of pieces gives.
func parseFlightStream(data []byte) flightState {
	var fp flightParser
	return fp.feed(data)
}

// feed parses the whole records of data that earlier calls did not parse,
// and returns the state of the stream so far. data must begin with the
// bytes of the previous call, as a buffer that reads append to does. Where
// reads split the stream does not change the result.
//
// Once a call returns a status other than flightNeedMore, the parser is
// finished, and later calls return that state again without reading data.
func (fp *flightParser) feed(data []byte) flightState {
	if fp.ended {
		return fp.final
	}
	fp.data = data
	st := fp.parseRecords()
	if st.status != flightNeedMore {
		fp.final, fp.ended = st, true
	}
	return st
}

// parseRecords walks the records of fp.data from fp.off on. A record that
// has not fully arrived stops the walk, without changing the parser, until
// more bytes come.
func (fp *flightParser) parseRecords() flightState {
	data := fp.data
	for fp.off < len(data) {
		off := fp.off
		if off == 0 && !isTLSContentType(data[0]) {
			return flightState{status: flightNotTLS}
		}
		if len(data)-off < recordHeaderLen {
			return fp.needMore(flightState{midRecord: true, recordAt: off, recordLen: -1})
		}
		contentType := data[off]
		version := uint16(data[off+1])<<8 | uint16(data[off+2])
		length := int(data[off+3])<<8 | int(data[off+4])

		if !isTLSContentType(contentType) {
			if fp.done {
				break
			}
			fp.malformed(off, "record.content_type", "record of unknown content type %d", contentType)
			return fp.state()
		}
		if version>>8 != 3 {
			if fp.done {
				break
			}
			fp.malformed(off+1, "record.version", "record version 0x%04x is not SSL 3.0 or TLS", version)
			return fp.state()
		}
		if length > maxRecordPayload {
			if fp.done {
				break
			}
			fp.malformed(off+3, "record.length", "record of %d bytes exceeds the %d-byte limit", length, maxRecordPayload)
			return fp.state()
		}
		if len(data)-off-recordHeaderLen < length {
			if fp.done {
				break
			}
			return fp.needMore(flightState{midRecord: true, recordAt: off, recordLen: length})
		}
		payload := data[off+recordHeaderLen : off+recordHeaderLen+length]
		fp.record(off, contentType, payload)
		if fp.err != nil {
			return fp.state()
		}
		fp.off = off + recordHeaderLen + length
	}
	if fp.done {
		return fp.state()
	}
	return fp.needMore(flightState{})
}

// needMore returns st as a flightNeedMore state, with what the parser waits
// for.
func (fp *flightParser) needMore(st flightState) flightState {
	if fp.done {
		return fp.state()
	}
	st.status = flightNeedMore
	st.flight = fp.flight
	st.midMessage = fp.hsPos < len(fp.hs)
	switch {
	case fp.flight == nil || fp.flight.ServerHello == nil:
		st.expecting = "the ServerHello"
	default:
		st.expecting = "the ServerHelloDone"
	}
	return st
}

func (fp *flightParser) state() flightState {
	if fp.err != nil {
		return flightState{status: flightMalformed, err: fp.err}
	}
	fp.flight.Complete = !fp.stoppedAtServerHello
	return flightState{status: flightComplete, flight: fp.flight}
}

func (fp *flightParser) ensureFlight() *ServerFlight {
	if fp.flight == nil {
		fp.flight = &ServerFlight{}
	}
	return fp.flight
}

// record handles one whole record at offset off of the raw stream.
func (fp *flightParser) record(off int, contentType uint8, payload []byte) {
	haveHello := fp.flight != nil && fp.flight.ServerHello != nil
	switch contentType {
	case recordAlert:
		// RFC 5246, Section 7.2: each alert is two bytes, level and
		// description. Several may share a record.
		if len(payload) == 0 || len(payload)%2 != 0 {
			if !fp.done {
				fp.malformed(off+3, "alert", "alert record of %d bytes, want 2", len(payload))
			}
			return
		}
		f := fp.ensureFlight()
		for i := 0; i < len(payload); i += 2 {
			a := Alert{Level: AlertLevel(payload[i]), Description: AlertDescription(payload[i+1])}
			if a.Level == AlertLevelWarning && a.Description != 0 {
				fp.warnings++
				if fp.warnings > maxIgnoredMessages {
					// After the end of the flight the extra alerts are
					// dropped, because the flight itself was whole.
					if !fp.done {
						fp.malformed(off+recordHeaderLen+i, "alert", "server sent %d warning alerts, the last %s, without ending its flight; the limit is %d",
							fp.warnings, a.Description, maxIgnoredMessages)
					}
					return
				}
			}
			f.Alerts = append(f.Alerts, a)
			// A fatal alert or close_notify ends the connection. A warning
			// such as unrecognized_name may precede a ServerHello.
			if a.Level != AlertLevelWarning || a.Description == 0 {
				fp.done = true
			}
		}

	case recordHandshake:
		if fp.done {
			return
		}
		if len(payload) == 0 {
			// RFC 5246, Section 6.2.1: no empty handshake fragments.
			fp.malformed(off+3, "record.length", "empty handshake record")
			return
		}
		fp.handshakeRecords++
		if fp.handshakeRecords > maxHandshakeRecords {
			fp.malformed(off, "record", "server split its flight into more than %d handshake records", maxHandshakeRecords)
			return
		}
		fp.fragments = append(fp.fragments, hsFragment{hsStart: len(fp.hs), rawStart: off + recordHeaderLen, n: len(payload)})
		fp.hs = append(fp.hs, payload...)
		fp.messages()

	case recordChangeCipherSpec:
		if fp.done {
			return
		}
		if !haveHello {
			fp.malformed(off, "record.content_type", "change_cipher_spec record before the ServerHello")
			return
		}
		// A TLS 1.2 server that resumes a session sends ChangeCipherSpec
		// right after the ServerHello (RFC 5246, Section 7.3): the clear
		// part of its flight is over.
		fp.done = true

	case recordApplicationData:
		if fp.done {
			return
		}
		fp.malformed(off, "record.content_type", "application_data record before the handshake finished")
	}
}

// messages parses every whole handshake message in hs from hsPos on.
func (fp *flightParser) messages() {
	for !fp.done && fp.err == nil {
		rest := fp.hs[fp.hsPos:]
		if len(rest) < handshakeHeaderLen {
			return
		}
		msgType := rest[0]
		length := int(rest[1])<<16 | int(rest[2])<<8 | int(rest[3])
		if length > maxHandshakeMessage {
			fp.malformed(fp.rawOffset(fp.hsPos+1), "handshake.length", "server %s of %d bytes exceeds the %d-byte limit", handshakeName(msgType), length, maxHandshakeMessage)
			return
		}
		if len(rest)-handshakeHeaderLen < length {
			return
		}
		bodyStart := fp.hsPos + handshakeHeaderLen
		body := fp.hs[bodyStart : bodyStart+length]
		fp.hsPos = bodyStart + length
		fp.message(bodyStart, msgType, body)
	}
}

// message handles one handshake message whose body starts at bodyStart of
// the handshake stream.
func (fp *flightParser) message(bodyStart int, msgType uint8, body []byte) {
	f := fp.ensureFlight()
	headerOffset := fp.rawOffset(bodyStart - handshakeHeaderLen)
	p := newMsgParser(body)
	var ok bool

	if msgType == typeHelloRequest {
		// RFC 5246, Section 7.4.1.1: a client ignores HelloRequest during a
		// handshake, but a server that sends nothing else stalls the probe.
		fp.helloRequests++
		if fp.helloRequests > maxIgnoredMessages {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent %d HelloRequest messages in its first flight; the limit is %d",
				fp.helloRequests, maxIgnoredMessages)
		}
		return
	}
	sh := f.ServerHello
	if sh == nil && msgType != typeServerHello {
		fp.malformed(headerOffset, "handshake.msg_type", "server sent %s before the ServerHello", handshakeName(msgType))
		return
	}

	switch msgType {
	case typeServerHello:
		if sh != nil {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent a second ServerHello")
			return
		}
		sh = &ServerHello{}
		ok = parseServerHello(p, sh)
		if ok {
			f.ServerHello = sh
			// RFC 8446, Section 4.1.3: the rest of a TLS 1.3 flight is
			// encrypted, and a HelloRetryRequest waits for a new hello.
			switch {
			case sh.HelloRetryRequest || sh.Version >= VersionTLS13:
				fp.done = true
			case fp.stopAtServerHello:
				fp.done = true
				fp.stoppedAtServerHello = true
			}
		}
	case typeCertificate:
		if len(f.Certificates) > 0 {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent a second Certificate")
			return
		}
		ok = parseCertificate(p, f)
	case typeCertificateStatus:
		if f.CertificateStatus {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent a second CertificateStatus")
			return
		}
		ok = parseCertificateStatus(p, f)
	case typeServerKeyExchange:
		if f.ServerKeyExchange != nil {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent a second ServerKeyExchange")
			return
		}
		ske := &ServerKeyExchange{}
		ok = parseServerKeyExchange(p, sh.CipherSuite, ske)
		if ok {
			f.ServerKeyExchange = ske
		}
	case typeCertificateRequest:
		if f.CertificateRequest != nil {
			fp.malformed(headerOffset, "handshake.msg_type", "server sent a second CertificateRequest")
			return
		}
		cr := &CertificateRequest{}
		ok = parseCertificateRequest(p, sh.Version, cr)
		if ok {
			f.CertificateRequest = cr
		}
	case typeServerHelloDone:
		ok = p.expectEmpty("server_hello_done")
		if ok {
			f.ServerHelloDone = true
			fp.done = true
		}
	default:
		fp.malformed(headerOffset, "handshake.msg_type", "server sent %s in its first flight", handshakeName(msgType))
		return
	}
	if !ok {
		fp.malformed(fp.rawOffset(bodyStart+p.offset), p.field, "%s", p.reason)
	}
}

// String returns a one-line summary of the flight, for test failures and
// debugging.
func (f *ServerFlight) String() string {
	if f.ServerHello == nil {
		return fmt.Sprintf("alerts %v", f.Alerts)
	}
	sh := f.ServerHello
	return fmt.Sprintf("%s suite 0x%04x, %d certificates, done=%v, alerts %v", sh.Version, sh.CipherSuite, len(f.Certificates), f.ServerHelloDone, f.Alerts)
}
