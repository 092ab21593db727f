package streaming_test

import (
	"context"
	"errors"
	"testing"

	"github.com/streamingplatform/streaming/server/streaming"
)

// oneTx is a unit of work that runs fn once on tx.
type oneTx struct {
	tx   streaming.CommandTx
	runs int
}

func (o *oneTx) InTx(_ context.Context, fn func(streaming.CommandTx) error) error {
	o.runs++
	return fn(o.tx)
}

// TestNarrow: the narrowed unit of work runs in the store's transaction, hands fn the view of that transaction, and
// returns fn's error unchanged.
func TestNarrow(t *testing.T) {
	var tx streaming.CommandTx // nil: the view below marks what it was given
	store := &oneTx{tx: tx}
	var viewed int
	users := streaming.Narrow(store, func(tx streaming.CommandTx) streaming.Users { viewed++; return tx })
	stop := errors.New("stop")
	err := users.InTx(t.Context(), func(u streaming.Users) error {
		if u != nil {
			t.Errorf("fn got %v, want the store's transaction", u)
		}
		return stop
	})
	if err != stop || store.runs != 1 || viewed != 1 {
		t.Fatalf("InTx = %v after %d transactions and %d views; want fn's error after 1 and 1", err, store.runs, viewed)
	}
}
