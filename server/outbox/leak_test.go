package outbox_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test ends every goroutine it started (see issue 18: leaked goroutines hold resources for good).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
