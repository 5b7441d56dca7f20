package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// wireClient is a load generator's HTTP/1.1 client, as wrk or h2load
// are: one keep-alive connection per concurrent client, each request
// written and its answer read by the calling goroutine. The intake benches
// run their clients in the process they measure, on the same two cores
// as the server and the database; net/http's client hands every request
// to two goroutines of its own per connection (a writer and a reader) and
// back, and so spends CPU and scheduler wake-ups that real clients, on
// their own machines, would not take from the server. The answer is still
// parsed by net/http (http.ReadResponse: status, headers, a chunked or
// sized body), read to the end and checked.
type wireClient struct {
	addr  string
	conns chan *wireConn
}

type wireConn struct {
	c  net.Conn
	br *bufio.Reader
}

// newWireClient returns a client for the server at base ("http://host:port")
// that keeps up to clients connections open.
func newWireClient(base string, clients int) (*wireClient, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("wire client: %q is not http://host:port", base)
	}
	return &wireClient{addr: u.Host, conns: make(chan *wireConn, clients)}, nil
}

// post writes a POST of body to path, with the bearer token if any, and
// reads the answer (do).
func (w *wireClient) post(path, token string, body []byte) (int, []byte, error) {
	return w.do(w.request(path, token, body))
}

// request is a POST of body to path, with the bearer token if any, as
// bytes to write.
func (w *wireClient) request(path, token string, body []byte) []byte {
	var b strings.Builder
	b.WriteString("POST " + path + " HTTP/1.1\r\nHost: " + w.addr + "\r\nContent-Type: application/json\r\n")
	if token != "" {
		b.WriteString("Authorization: Bearer " + token + "\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return []byte(b.String())
}

// do writes req (from request) on a kept connection, or a new one, reads
// the whole answer and returns its status; a connection that failed or
// that the server closes is not kept.
func (w *wireClient) do(req []byte) (int, []byte, error) {
	var wc *wireConn
	select {
	case wc = <-w.conns:
	default:
		c, err := net.Dial("tcp", w.addr)
		if err != nil {
			return 0, nil, err
		}
		wc = &wireConn{c: c, br: bufio.NewReaderSize(c, 8<<10)}
	}
	if _, err := wc.c.Write(req); err != nil {
		wc.c.Close()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(wc.br, nil)
	if err != nil {
		wc.c.Close()
		return 0, nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		wc.c.Close()
		return resp.StatusCode, answer, err
	}
	select {
	case w.conns <- wc:
	default:
		wc.c.Close()
	}
	return resp.StatusCode, answer, nil
}

// Close closes the kept connections.
func (w *wireClient) Close() {
	for {
		select {
		case wc := <-w.conns:
			wc.c.Close()
		default:
			return
		}
	}
}
