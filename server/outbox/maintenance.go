package outbox

import (
	"context"
	"time"
)

// cleanupEvery is how often a relay deletes old published rows. Several replicas may do it at once: they skip each
// other's rows.
const cleanupEvery = time.Minute

// listen wakes every partition on each notification of a new event (Store.Listen). Notifications sent while it is
// disconnected are lost, which is why partitions also poll; after every (re)connect it wakes all partitions to
// catch up.
func (r *Relay) listen(ctx context.Context, wakeAll func()) {
	lost := false
	for {
		err := r.store.Listen(ctx, func() {
			if lost {
				r.log.Info("outbox LISTEN connection back")
				lost = false
			}
			wakeAll()
		})
		if ctx.Err() != nil {
			return
		}
		r.m.postgresErrors.Inc()
		if !lost {
			r.log.Warn("outbox LISTEN connection lost; relying on the poll until it is back", "err", err)
			lost = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.cfg.RetryBackoff):
		}
	}
}

// watchOldest keeps outbox_oldest_unpublished_seconds current, every PollInterval. The lag histogram only learns
// of events once they are delivered; this gauge grows while they are not.
func (r *Relay) watchOldest(ctx context.Context) {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		age, err := r.store.OldestPending(ctx)
		if err == nil {
			r.m.oldest.Set(age.Seconds())
		} else if ctx.Err() == nil {
			r.m.postgresErrors.Inc()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Relay) cleanupLoop(ctx context.Context) {
	t := time.NewTicker(cleanupEvery)
	defer t.Stop()
	for {
		if _, err := r.Cleanup(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox cleanup failed; retrying later", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Cleanup deletes rows published more than CleanupAfter ago, CleanupBatch rows per statement so that no statement
// holds many row locks or runs long, and reports how many it deleted. Run calls it every minute. Rows still owed
// to a projector stay; rows another transaction has locked are skipped, so replicas cleaning at once do not wait
// on each other.
func (r *Relay) Cleanup(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := r.store.DeletePublished(ctx, r.cfg.CleanupAfter, r.cfg.CleanupBatch)
		if err != nil {
			return total, r.storeErr(ctx, "cleanup", err)
		}
		total += n
		r.m.deleted.Add(float64(n))
		if n < int64(r.cfg.CleanupBatch) {
			return total, nil
		}
	}
}

// Republish marks every row still in the outbox (those not yet cleaned up, see CleanupAfter) unpublished, so the
// running relays deliver them all again, in order per aggregate, and reports how many. Projectors ignore versions
// they already have, so a replay must leave the read models unchanged; it is the check that they do. It is not a
// way to rebuild a read model from nothing: events older than CleanupAfter are gone.
func (r *Relay) Republish(ctx context.Context) (int64, error) {
	n, err := r.store.Republish(ctx)
	if err != nil {
		return 0, r.storeErr(ctx, "republish", err)
	}
	return n, nil
}
