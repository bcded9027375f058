package devstack_test

import (
	"sync"
	"testing"
)

func TestConcurrentAcceptsOverHTTP(t *testing.T) {
	st := startStack(t)
	fay := st.token("fay", "fabrikam")
	path := "/invitations/" + st.s.Demo.PendingInvitationID + "/accept"
	statuses := make([]int, 20)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i] = st.do("POST", path, fay, "").status
		}(i)
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != 19 {
		t.Errorf("statuses = %v, want exactly one 201 and nineteen 409", count)
	}
	var rels struct{ Items []struct{ ID string } }
	st.mustDo("GET", "/relationships?side=customer", fay, "", 200, &rels)
	if len(rels.Items) != 1 {
		t.Errorf("fabrikam has %d relationships, want 1", len(rels.Items))
	}
}
