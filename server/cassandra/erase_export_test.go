package cassandra

import "testing"

// SetErasePageSize makes EraseUser read its indexes n rows per page until the test ends. Tests that call it must
// not run in parallel.
func SetErasePageSize(t testing.TB, n int) {
	old := erasePageSize
	erasePageSize = n
	t.Cleanup(func() { erasePageSize = old })
}
