// Package redis holds the platform's Redis adapters, built on rueidis.
package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// SessionStore keeps login sessions:
//
//	session:{sha256 of the token, hex}  JSON sessionDoc (user, absolute end); expires after the idle timeout,
//	                                     pushed back on every use
//	sessions:{user id}                  set of the user's session keys' hashes, for LogoutAll; expires with the
//	                                     newest session's absolute end
//
// The token itself is never stored: whoever reads Redis (a dump, a replica, a MONITOR) finds hashes that open
// nothing. A session ends at the first of: its idle timeout without a use, its absolute end, Logout, LogoutAll.
type SessionStore struct {
	c    rueidis.Client
	idle time.Duration
	now  func() time.Time
}

// NewSessionStore keeps sessions that end after idle without use (and at their absolute end in any case).
func NewSessionStore(c rueidis.Client, idle time.Duration) *SessionStore {
	return &SessionStore{c: c, idle: idle, now: time.Now}
}

// sessionDoc is the stored form of a session (pinned by TestSessionFormat).
type sessionDoc struct {
	UserID string `json:"user_id"`
	// EndsAt is the absolute end, Unix milliseconds.
	EndsAt int64 `json:"ends_at_ms"`
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func sessionKey(hash string) string      { return "session:" + hash }
func userSessionsKey(user string) string { return "sessions:" + user }

// CreateSession stores s until s.ExpiresAt, or until the idle timeout passes without a use.
func (s *SessionStore) CreateSession(ctx context.Context, sess streaming.Session) error {
	life := sess.ExpiresAt.Sub(s.now())
	if life <= 0 {
		return streaming.Errorf(streaming.CodeInternal, "session already ended")
	}
	doc, err := json.Marshal(sessionDoc{UserID: sess.UserID, EndsAt: sess.ExpiresAt.UnixMilli()})
	if err != nil {
		return err
	}
	h := tokenHash(sess.Token)
	res := s.c.DoMulti(ctx,
		s.c.B().Set().Key(sessionKey(h)).Value(string(doc)).Nx().Px(min(s.idle, life)).Build(),
		s.c.B().Sadd().Key(userSessionsKey(sess.UserID)).Member(h).Build(),
		// Every session lives as long at most, so the newest one's end is the index's.
		s.c.B().Pexpireat().Key(userSessionsKey(sess.UserID)).MillisecondsTimestamp(sess.ExpiresAt.UnixMilli()).Build(),
	)
	if err := res[0].Error(); rueidis.IsRedisNil(err) {
		// NX refused: a 256-bit random token collided, which does not happen; refuse rather than share a session.
		return streaming.Errorf(streaming.CodeInternal, "session token collision")
	} else if err != nil {
		return streaming.Unavailable("Redis", err)
	}
	for _, r := range res[1:] {
		if err := r.Error(); err != nil {
			return streaming.Unavailable("Redis", err)
		}
	}
	return nil
}

// SessionUser returns the user of a live session and pushes its idle timeout back.
func (s *SessionStore) SessionUser(ctx context.Context, token string) (string, error) {
	key := sessionKey(tokenHash(token))
	// GETEX reads and renews in one command. A plain Do, never the client-side cache: a logout must take effect at
	// once.
	raw, err := s.c.Do(ctx, s.c.B().Getex().Key(key).Px(s.idle).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return "", streaming.Errorf(streaming.CodeUnauthenticated, "session expired or unknown")
	}
	if err != nil {
		return "", streaming.Unavailable("Redis", err)
	}
	var doc sessionDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil || doc.UserID == "" {
		return "", fmt.Errorf("decode %s: %w", key, err)
	}
	left := time.UnixMilli(doc.EndsAt).Sub(s.now())
	if left <= 0 {
		s.c.Do(ctx, s.c.B().Del().Key(key).Build()) // best effort: it expires within the idle timeout anyway
		return "", streaming.Errorf(streaming.CodeUnauthenticated, "session expired or unknown")
	}
	if left < s.idle { // GETEX pushed the expiry past the absolute end: bring it back
		s.c.Do(ctx, s.c.B().Pexpireat().Key(key).MillisecondsTimestamp(doc.EndsAt).Build())
	}
	return doc.UserID, nil
}

// DeleteSession ends the session of token.
func (s *SessionStore) DeleteSession(ctx context.Context, token string) error {
	if err := s.c.Do(ctx, s.c.B().Del().Key(sessionKey(tokenHash(token))).Build()).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user and returns how many were live. Each key is deleted by a
// command of its own, so it works on a Redis Cluster, where the keys sit in different slots.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	index := userSessionsKey(userID)
	hashes, err := s.c.Do(ctx, s.c.B().Smembers().Key(index).Build()).AsStrSlice()
	if err != nil {
		return 0, streaming.Unavailable("Redis", err)
	}
	if len(hashes) == 0 {
		return 0, nil
	}
	cmds := make(rueidis.Commands, 0, len(hashes)+1)
	for _, h := range hashes {
		cmds = append(cmds, s.c.B().Del().Key(sessionKey(h)).Build())
	}
	// SREM of what was read, not DEL of the index: a login racing with this keeps its new entry.
	cmds = append(cmds, s.c.B().Srem().Key(index).Member(hashes...).Build())
	ended := 0
	for i, r := range s.c.DoMulti(ctx, cmds...) {
		n, err := r.AsInt64()
		if err != nil {
			return ended, streaming.Unavailable("Redis", err)
		}
		if i < len(hashes) {
			ended += int(n)
		}
	}
	return ended, nil
}
