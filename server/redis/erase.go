package redis

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Eraser removes what Redis holds about an erased user ("right to be forgotten"). Every key named by the user id:
//
//	user_profile:{user id}     replaced by a tombstone (below)
//	recommendations:{user id}  deleted
//	leases:{user id}           deleted
//	sessions:{user id}         emptied, and every session:{hash} it lists deleted (SessionStore.DeleteUserSessions)
//
// Left alone, because they identify nobody: trending's HyperLogLogs (trending:viewers:…) hold user ids only hashed
// into registers, which no user id can be read back from or removed from, and expire after TrendingRetention;
// trending's sorted sets and the catalog's keys hold content ids. The login rate limiter's buckets are keyed by a
// hash of the email and the client address, not the user id; they expire within their limit's period.
//
// The user's keys sit in different slots of a Redis Cluster, so each is written by a command of its own, never one
// script over several keys.
type Eraser struct {
	c        rueidis.Client
	sessions *SessionStore
}

// NewEraser returns the eraser of the user keys kept in c.
func NewEraser(c rueidis.Client) *Eraser {
	// DeleteUserSessions needs no idle timeout.
	return &Eraser{c: c, sessions: &SessionStore{c: c, now: time.Now}}
}

var _ streaming.UserEraser = (*Eraser)(nil)

// TombstoneTTL is how long an erased user's profile tombstone lives. It must outlive any event about the user still
// in flight when the erasure ran. The relay delivers within seconds, but an event stays pending in the outbox for as
// long as its projector fails (Redis down, a bug) and is delivered when it recovers; the oldest pending event alerts
// within minutes (OutboxRelayStuck), so a week covers an outage long after it is noticed and fixed.
const TombstoneTTL = 7 * 24 * time.Hour

// tombstone is the erased user's user_profile hash, as field, value pairs: the erased marker and the user's version
// as the projection's fence (pinned by TestUserProfileTombstoneFormat). It holds no personal data. versionedWrite
// refuses every write to a hash with the marker; "v:user" also makes a binary older than the marker (a rolling
// deploy) refuse the user part at that version or below, the usual versioned-write rule.
func tombstone(version int64) []string {
	v := strconv.FormatInt(version, 10)
	return []string{fieldErased, v, "v:" + fieldUser, v}
}

func (e *Eraser) ErasureStore() string { return streaming.ErasureStoreRedis }

// EraseUser leaves a tombstone at version in the user's profile view, then deletes the recommendation cache, the
// leases and the sessions. The tombstone goes first, so a projection running meanwhile cannot write the view back;
// it replaces the whole hash in one script call (on the one key), so no reader ever sees a half-erased view. Every
// step is idempotent: a second call rewrites the same tombstone and finds nothing else to delete.
func (e *Eraser) EraseUser(ctx context.Context, userID string, version int64) error {
	if userID == "" {
		return streaming.Invalid("user_id", "is empty")
	}
	args := append([]string{strconv.FormatInt(TombstoneTTL.Milliseconds(), 10)}, tombstone(version)...)
	if err := replaceHash.Exec(ctx, e.c, []string{userProfileKey(userID)}, args).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	// One DEL per key: on a Redis Cluster they sit in different slots.
	for _, res := range e.c.DoMulti(ctx,
		e.c.B().Del().Key(recommendationsKey(userID)).Build(),
		e.c.B().Del().Key(leasesKey(userID)).Build(),
	) {
		if err := res.Error(); err != nil {
			return streaming.Unavailable("Redis", err)
		}
	}
	// SREM of the hashes read, not DEL of the index: a login racing with this keeps its entry in the index, where a
	// retry finds it. The index key disappears with its last member.
	if _, err := e.sessions.DeleteUserSessions(ctx, userID); err != nil {
		return err
	}
	return nil
}
