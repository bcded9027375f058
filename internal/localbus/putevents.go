package localbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// The wire format of PutEvents, AWS JSON 1.1, as the SDK's serde and the
// service's API reference describe it.
const (
	putEventsTarget = "AWSEvents.PutEvents"
	contentType     = "application/x-amz-json-1.1"
	maxEntries      = 10
	maxEntriesSize  = 256 * 1024 // the PutEvents size limit, counted as entrySize does
	maxBodySize     = 4 * maxEntriesSize
)

type putEventsRequest struct {
	Entries []entry
}

type entry struct {
	Source       string
	DetailType   string
	Detail       *string
	EventBusName string
	Time         *epochTime
	Resources    []string
}

type putEventsResponse struct {
	FailedEntryCount int
	Entries          []resultEntry
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type apiError struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// epochTime reads a timestamp as the SDK writes it, epoch seconds with a
// fraction, or as RFC 3339, which other clients send.
type epochTime struct{ time.Time }

func (t *epochTime) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		parsed, err := time.Parse(time.RFC3339Nano, s)
		t.Time = parsed
		return err
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return err
	}
	whole, frac := math.Modf(secs)
	t.Time = time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3) // the SDK sends milliseconds
	return nil
}

// ServeHTTP answers PutEvents as EventBridge does; any other operation is
// unknown.
func (b *Bus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", b.opt.NewID())
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != putEventsTarget {
		writeJSON(w, http.StatusBadRequest, apiError{Type: "UnknownOperationException"})
		return
	}
	if b.takeRefusal() {
		writeJSON(w, http.StatusInternalServerError, apiError{Type: "InternalException", Message: "the local bus refused this call (RefuseCalls)"})
		return
	}
	var req putEventsRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodySize)).Decode(&req); err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			writeJSON(w, http.StatusBadRequest, apiError{Type: "ValidationException", Message: "Total size of the entries in the request is over the limit."})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{Type: "SerializationException", Message: err.Error()})
		return
	}
	if n := len(req.Entries); n < 1 || n > maxEntries {
		writeJSON(w, http.StatusBadRequest, apiError{Type: "ValidationException",
			Message: fmt.Sprintf("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d, got %d", maxEntries, n)})
		return
	}
	size := 0
	for _, e := range req.Entries {
		size += entrySize(e)
	}
	if size > maxEntriesSize {
		writeJSON(w, http.StatusBadRequest, apiError{Type: "ValidationException", Message: "Total size of the entries in the request is over the limit."})
		return
	}

	accepted := time.Now()
	resp := putEventsResponse{Entries: make([]resultEntry, len(req.Entries))}
	for i, e := range req.Entries {
		res := b.accept(i, e, accepted)
		if res.ErrorCode != "" {
			resp.FailedEntryCount++
		}
		resp.Entries[i] = res
	}
	writeJSON(w, http.StatusOK, resp)
}

// accept validates one entry and, when it lands on this bus, routes it.
func (b *Bus) accept(index int, e entry, accepted time.Time) resultEntry {
	required := func(field string) resultEntry {
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: fmt.Sprintf("Parameter %s is not valid. Reason: %s is a required argument.", field, field)}
	}
	switch {
	case e.Source == "":
		return required("Source")
	case e.DetailType == "":
		return required("DetailType")
	case e.Detail == nil || *e.Detail == "":
		return required("Detail")
	}
	detail, ok := jsonObject(*e.Detail)
	if !ok {
		return resultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	ours, exists := b.busNamed(e.EventBusName)
	if !exists {
		return resultEntry{ErrorCode: "ResourceNotFoundException", ErrorMessage: fmt.Sprintf("Event bus %s does not exist.", e.EventBusName)}
	}
	if b.failing(e.DetailType, index) {
		return resultEntry{ErrorCode: "InternalFailure", ErrorMessage: "the local bus failed this entry (FailEntries)"}
	}

	at := b.opt.Now()
	if e.Time != nil {
		at = e.Time.Time
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	ev := lambdaevents.EventBridgeEvent{
		Version:    "0",
		ID:         b.opt.NewID(),
		DetailType: e.DetailType,
		Source:     e.Source,
		AccountID:  b.opt.Account,
		Time:       at.UTC().Truncate(time.Second),
		Region:     b.opt.Region,
		Resources:  resources,
		Detail:     detail,
	}
	if !ours {
		b.log.Warn("event sent to the default bus, which no local rule watches: set EventBusName",
			"bus", b.opt.BusName, "event_id", ev.ID, "detail_type", ev.DetailType)
		return resultEntry{EventID: ev.ID}
	}
	b.route(ev, accepted)
	return resultEntry{EventID: ev.ID}
}

// busNamed says whether an entry's EventBusName is this bus, and whether the
// bus it names exists at all: the default bus does, others do not.
func (b *Bus) busNamed(name string) (ours, exists bool) {
	if name == "" {
		name = "default"
	}
	if rest, isARN := strings.CutPrefix(name, "arn:"); isARN {
		// arn:<partition>:events:<region>:<account>:event-bus/<name>
		parts := strings.Split(rest, ":")
		if len(parts) != 5 || parts[1] != "events" || parts[2] != b.opt.Region || parts[3] != b.opt.Account {
			return false, false
		}
		bus, ok := strings.CutPrefix(parts[4], "event-bus/")
		if !ok {
			return false, false
		}
		name = bus
	}
	if name == b.opt.BusName {
		return true, true
	}
	return false, name == "default"
}

// jsonObject answers detail compacted, if it is a JSON object.
func jsonObject(detail string) (json.RawMessage, bool) {
	trimmed := bytes.TrimSpace([]byte(detail))
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	var out bytes.Buffer
	if err := json.Compact(&out, trimmed); err != nil {
		return nil, false
	}
	return out.Bytes(), true
}

// entrySize counts an entry toward the request limit as EventBridge does:
// 14 bytes for a Time, plus the UTF-8 bytes of Source, DetailType, Detail
// and each resource.
func entrySize(e entry) int {
	n := len(e.Source) + len(e.DetailType)
	if e.Time != nil {
		n += 14
	}
	if e.Detail != nil {
		n += len(*e.Detail)
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (b *Bus) takeRefusal() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refuse <= 0 {
		return false
	}
	b.refuse--
	return true
}

func (b *Bus) failing(detailType string, index int) bool {
	b.mu.Lock()
	fail := b.failEntry
	b.mu.Unlock()
	return fail != nil && fail(detailType, index)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
