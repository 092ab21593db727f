package redis_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test ends every goroutine it started (see issue 18: leaked goroutines hold resources for good).
// A client whose first connection failed (Open with a wrong password) leaves rueidis' reconnect back-off asleep for
// up to about a second; it ends by itself.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}
