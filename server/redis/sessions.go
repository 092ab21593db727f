// Package redis holds the platform's Redis adapters, built on rueidis.
package redis

import (
	"context"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// SessionStore keeps login sessions as keys session:{token} -> user id, expiring with the session TTL.
type SessionStore struct {
	c rueidis.Client
}

func NewSessionStore(c rueidis.Client) *SessionStore { return &SessionStore{c: c} }

func sessionKey(token string) string { return "session:" + token }

func (s *SessionStore) CreateSession(ctx context.Context, sess streaming.Session, ttl time.Duration) error {
	err := s.c.Do(ctx, s.c.B().Set().Key(sessionKey(sess.Token)).Value(sess.UserID).Nx().Px(ttl).Build()).Error()
	if rueidis.IsRedisNil(err) {
		// NX refused: a 256-bit random token collided, which does not happen; refuse rather than share a session.
		return streaming.Errorf(streaming.CodeInternal, "session token collision")
	}
	if err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}

func (s *SessionStore) SessionUser(ctx context.Context, token string) (string, error) {
	// A plain Do, never the client-side cache: a logout must take effect at once.
	user, err := s.c.Do(ctx, s.c.B().Get().Key(sessionKey(token)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return "", streaming.Errorf(streaming.CodeUnauthenticated, "session expired or unknown")
	}
	if err != nil {
		return "", streaming.Unavailable("Redis", err)
	}
	return user, nil
}

func (s *SessionStore) DeleteSession(ctx context.Context, token string) error {
	if err := s.c.Do(ctx, s.c.B().Del().Key(sessionKey(token)).Build()).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}
