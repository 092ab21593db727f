package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// DeleteUserTx is what an erasure touches in PostgreSQL: the user's row, their current subscriptions (canceled),
// the open invoices of a past-due one, the erasure queue and the events.
type DeleteUserTx interface {
	streaming.Erasures
	CancelSubscriptionTx
}

// DeleteUserHandler erases users.
type DeleteUserHandler struct {
	Tx       streaming.UnitOfWork[DeleteUserTx]
	Sessions streaming.SessionStore
	Erasures streaming.ErasureQueue
	Now      func() time.Time
}

// DeleteUser erases a user; see DeleteUserHandler.Handle.
func (h *Handler) DeleteUser(ctx context.Context, userID string) (*streaming.UserErasure, error) {
	return h.deleteUser.Handle(ctx, userID)
}

// cancelReasonErased is the cancel reason of the subscriptions of an erased user.
const cancelReasonErased = "account deleted"

// maxSubscriptionsErased bounds the subscriptions one erasure reads: far more than a user has (one current at a
// time), so none is missed.
const maxSubscriptionsErased = 1000

// Handle erases the user in one transaction: their row is anonymized (payments and invoices stay, as the law wants
// them kept, referring to an id that names nobody), their current subscriptions are canceled as CancelSubscription
// would (an active one runs out its paid period and is not renewed, a past-due one ends now), and the erasure of every
// other store is queued for the erasure worker, which retries each until it is done. After the commit every session
// of the user ends. A repeated call succeeds and queues every store again (it finds what a store received since).
// The answer is the erasure's progress as it stands.
func (h DeleteUserHandler) Handle(ctx context.Context, userID string) (*streaming.UserErasure, error) {
	at := now(h.Now)
	err := h.Tx.InTx(ctx, func(tx DeleteUserTx) error {
		version, already, err := tx.AnonymizeUser(ctx, userID, at, streaming.ErasureStores)
		if err != nil || already {
			return err
		}
		subs, err := tx.ListSubscriptions(ctx, userID, maxSubscriptionsErased, "")
		if err != nil {
			return err
		}
		for _, listed := range subs {
			if listed.CheckCurrent() != nil || listed.CancelAtPeriodEnd {
				continue
			}
			s, err := tx.SubscriptionForUpdate(ctx, listed.ID)
			if err != nil {
				return err
			}
			if s.CheckCurrent() != nil || s.CancelAtPeriodEnd { // changed since the list was read
				continue
			}
			if err := cancelLocked(ctx, tx, s, cancelReasonErased, at); err != nil {
				return err
			}
		}
		ev, err := event(at, streaming.AggregateUser, userID, version, streaming.EventUserErased,
			streaming.ErasedPayload{UserID: userID, ErasedAt: at.UTC()})
		if err != nil {
			return err
		}
		return tx.AppendEvent(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	// After the commit (a session ended before it could still be used by a command that then finds no user). A
	// failure is not the caller's: sessions live in Redis, so while Redis does not answer no session can be used,
	// and the Redis eraser removes them too, retried until Redis answers.
	_, _ = h.Sessions.DeleteUserSessions(ctx, userID)
	return h.Erasures.UserErasure(ctx, userID)
}
