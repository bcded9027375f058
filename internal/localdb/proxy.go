package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Proxy stands in front of a DynamoDB endpoint and passes requests through
// unless told to fail them: the fault drills of the tests and the local
// stack go through it, so the code under test meets real DynamoDB answers and
// real DynamoDB errors, and nothing in the emulator is switched.
type Proxy struct {
	// URL is the proxy's endpoint.
	URL string

	target string
	client *http.Client
	srv    *http.Server

	mu          sync.Mutex
	failNext    int
	failCode    string
	outage      bool
	unprocessed int
	lose        map[string]int
	counts      map[string]int
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the DynamoDB proxy: %w", err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), target: strings.TrimSuffix(target, "/"),
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		lose:   map[string]int{}, counts: map[string]int{}}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

// Fail makes the next n requests answer the DynamoDB error code without
// reaching the database: ThrottlingException and
// ProvisionedThroughputExceededException (which the SDK retries) answer 400,
// anything else 500.
func (p *Proxy) Fail(n int, code string) {
	p.mu.Lock()
	p.failNext, p.failCode = n, code
	p.mu.Unlock()
}

// Outage makes every request answer 500 InternalServerError until it is
// called with false.
func (p *Proxy) Outage(on bool) {
	p.mu.Lock()
	p.outage = on
	p.mu.Unlock()
}

// LeaveUnprocessed makes the next n write requests inside BatchWriteItem
// calls come back as UnprocessedItems, unwritten, as DynamoDB does when a
// partition is hot.
func (p *Proxy) LeaveUnprocessed(n int) {
	p.mu.Lock()
	p.unprocessed = n
	p.mu.Unlock()
}

// LoseAnswers makes the next n calls of the operation (e.g.
// "TransactWriteItems") reach the database and take effect, and then drops
// the connection before the answer: the client cannot tell whether the call
// happened and retries it.
func (p *Proxy) LoseAnswers(n int, operation string) {
	p.mu.Lock()
	p.lose[operation] += n
	p.mu.Unlock()
}

// Count answers how many calls of the operation reached the proxy.
func (p *Proxy) Count(operation string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[operation]
}

// Unprocessed answers how many write requests are still to be left
// unprocessed.
func (p *Proxy) Unprocessed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unprocessed
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.counts[op]++
	code := ""
	switch {
	case p.outage:
		code = "InternalServerError"
	case p.failNext > 0:
		p.failNext--
		code = p.failCode
	}
	lose := p.lose[op] > 0
	if lose {
		p.lose[op]--
	}
	var held []json.RawMessage
	if op == "BatchWriteItem" && p.unprocessed > 0 && code == "" {
		body, held = p.holdBack(body)
	}
	p.mu.Unlock()

	if code != "" {
		status := http.StatusInternalServerError
		if code == "ThrottlingException" || code == "ProvisionedThroughputExceededException" {
			status = http.StatusBadRequest
		}
		writeError(w, status, code)
		return
	}
	if body == nil { // every write of the batch held back: nothing to forward
		writeUnprocessed(w, r, map[string]any{}, held)
		return
	}
	res, err := p.forward(r, body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError")
		return
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError")
		return
	}
	if lose {
		// The call took effect; its answer never arrives.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if len(held) > 0 && res.StatusCode == http.StatusOK {
		var out map[string]any
		if json.Unmarshal(answer, &out) == nil {
			writeUnprocessed(w, r, out, held)
			return
		}
	}
	for k, v := range res.Header {
		if k != "Content-Length" && k != "X-Amz-Crc32" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(answer)
}

// holdBack takes up to p.unprocessed write requests out of a BatchWriteItem
// body; it answers the body to forward (nil when nothing is left) and the
// requests held back, each as {"table": …, "request": …}.
func (p *Proxy) holdBack(body []byte) ([]byte, []json.RawMessage) {
	var raw map[string]json.RawMessage
	var items map[string][]json.RawMessage
	if json.Unmarshal(body, &raw) != nil || json.Unmarshal(raw["RequestItems"], &items) != nil {
		return body, nil
	}
	var held []json.RawMessage
	left := 0
	for table, reqs := range items {
		var keep []json.RawMessage
		for _, rq := range reqs {
			if p.unprocessed > 0 {
				p.unprocessed--
				entry, _ := json.Marshal(map[string]json.RawMessage{"table": mustJSON(table), "request": rq})
				held = append(held, entry)
				continue
			}
			keep = append(keep, rq)
		}
		if len(keep) == 0 {
			delete(items, table)
			continue
		}
		items[table] = keep
		left += len(keep)
	}
	if left == 0 {
		return nil, held
	}
	raw["RequestItems"] = mustJSON(items)
	out, _ := json.Marshal(raw)
	return out, held
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// writeUnprocessed answers a BatchWriteItem result with the held-back
// requests added to its UnprocessedItems.
func writeUnprocessed(w http.ResponseWriter, r *http.Request, out map[string]any, held []json.RawMessage) {
	unprocessed, _ := out["UnprocessedItems"].(map[string]any)
	if unprocessed == nil {
		unprocessed = map[string]any{}
	}
	for _, h := range held {
		var e struct {
			Table   string
			Request json.RawMessage
		}
		_ = json.Unmarshal(h, &e)
		list, _ := unprocessed[e.Table].([]any)
		unprocessed[e.Table] = append(list, e.Request)
	}
	out["UnprocessedItems"] = unprocessed
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		if k != "Content-Length" && k != "Accept-Encoding" {
			req.Header[k] = v
		}
	}
	return p.client.Do(req)
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"fault drill: %s"}`, code, code)
}
