package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// conn is one client's kept-alive HTTP/1.1 connection. The generator shares
// the cores with the server it measures, so a request costs it as little as
// it can: the request's bytes are written once per run, the answer is
// parsed by net/http's ReadResponse and its body read into a buffer the
// client keeps. net/http's Client would add a goroutine hand-over and a
// few allocations per request, and tens of microseconds at thousands of
// requests a second.
type conn struct {
	addr    string
	request []byte
	dialer  *net.Dialer
	c       net.Conn
	r       *bufio.Reader
	body    []byte
}

// newConn prepares GET u with header for one client.
func newConn(u *url.URL, header http.Header, dialer *net.Dialer) *conn {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	for _, k := range slices.Sorted(maps.Keys(header)) {
		for _, v := range header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", http.CanonicalHeaderKey(k), v)
		}
	}
	b.WriteString("\r\n")
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return &conn{addr: net.JoinHostPort(u.Hostname(), port), request: b.Bytes(), dialer: dialer}
}

// do sends the request and reads the whole answer by deadline. The body is
// the client's buffer: valid until the next do.
func (c *conn) do(ctx context.Context, deadline time.Time) (int, []byte, error) {
	if c.c == nil {
		nc, err := c.dialer.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	// The caller's context ends the request at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetDeadline(time.Now()) })
	defer stop()
	if err := c.c.SetDeadline(deadline); err != nil {
		return 0, nil, c.fail(err)
	}
	if _, err := c.c.Write(c.request); err != nil {
		return 0, nil, c.fail(err)
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, nil, c.fail(err)
	}
	if n := resp.ContentLength; n >= 0 {
		if int64(cap(c.body)) < n {
			c.body = make([]byte, n)
		}
		c.body = c.body[:n]
		_, err = io.ReadFull(resp.Body, c.body)
	} else {
		c.body, err = io.ReadAll(resp.Body)
	}
	resp.Body.Close()
	if err != nil {
		return 0, nil, c.fail(err)
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, c.body, nil
}

// fail drops the connection after an error: what is left of it is unknown.
func (c *conn) fail(err error) error {
	c.close()
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *conn) close() {
	if c.c != nil {
		_ = c.c.Close()
		c.c, c.r = nil, nil
	}
}
