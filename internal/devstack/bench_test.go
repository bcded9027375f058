package devstack_test

import (
	"net/http"
	"strings"
	"testing"
)

// BenchmarkSwitchOverHTTP measures POST /switch end to end on the local stack
// (JWT validation, the decision read, signing, the session transaction, the
// outbox publish) against DynamoDB Local: read the figure as the stack's own
// overhead on one machine, not as a production latency.
func BenchmarkSwitchOverHTTP(b *testing.B) {
	st := startStack(b)
	tom := st.token("tom", "northwind")
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("POST", st.url+"/switch", strings.NewReader(`{"tenantId":"contoso"}`))
		req.Header.Set("Authorization", "Bearer "+tom)
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("POST /switch = %v, %v", res, err)
		}
		res.Body.Close()
	}
}
