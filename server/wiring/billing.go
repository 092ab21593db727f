package wiring

import (
	"context"

	"github.com/streamingplatform/streaming/server/billing"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

// BillingWorker is the renewal worker as streamingd runs it (docs/billing.md), over the command store and the
// configured processor, on the wall clock.
func BillingWorker(cfg config.Config, store *postgres.CommandStore, processor streaming.PaymentProcessor) *billing.Worker {
	return &billing.Worker{Tx: streaming.Narrow(store, func(tx streaming.CommandTx) billing.Tx { return tx }),
		Processor: processor, Interval: cfg.BillingInterval,
		Policy: streaming.RetryPolicy{Retries: cfg.BillingRetries, Grace: cfg.BillingGrace}}
}

// startBilling runs the renewal worker in the background unless -billing-interval is 0. Every replica may run it:
// rows are claimed with SKIP LOCKED and each period is charged once.
func (b *Built) startBilling(cfg config.Config, store *postgres.CommandStore, processor streaming.PaymentProcessor) {
	if cfg.BillingInterval <= 0 {
		return
	}
	w := BillingWorker(cfg, store, processor)
	w.Log = b.log
	ctx, cancel := context.WithCancel(context.Background())
	b.stopBilling, b.billingDone = cancel, make(chan struct{})
	go func() { defer close(b.billingDone); w.Run(ctx) }()
}
