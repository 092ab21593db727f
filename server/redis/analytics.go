package redis

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// RollupViewersTTL is how long a roll-up's viewer sets live after its hour ends: the ingest service takes events up
// to a day old, and a replay after an outage comes within hours. An event later than this counts its viewer again.
const RollupViewersTTL = 48 * time.Hour

// rollupViewersKey is the set of a roll-up's viewers ("plays") or of those who finished the title ("done"):
//
//	analytics:{plays|done}:<hour, Unix s>:<content id>:<country>:<device>
func rollupViewersKey(kind string, k streaming.RollupKey) string {
	return "analytics:" + kind + ":" + strconv.FormatInt(k.Hour.Unix(), 10) + ":" + k.ContentID + ":" + k.Country + ":" + k.Device
}

// viewerMember is how a viewer is kept in a roll-up's sets: 12 bytes of the SHA-256 of its id, base64 (16
// characters). The sets need only tell viewers apart, so they hold no user id (an erasure has nothing to find
// there) and take less than half the memory of the ids.
func viewerMember(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return base64.RawStdEncoding.EncodeToString(sum[:12])
}

// MarkViewers implements streaming.RollupViewers: one SADD per mark (two for a completed one) and one EXPIREAT per
// key touched, pipelined in one round trip. Every key is written alone, so it works on a Redis Cluster as on one
// Redis.
func (m *ReadModel) MarkViewers(ctx context.Context, marks []streaming.ViewerMark) (plays, completions []bool, err error) {
	if len(marks) == 0 {
		return nil, nil, nil
	}
	cmds := make(rueidis.Commands, 0, 2*len(marks))
	type slot struct{ play, done int } // the command indexes of a mark's SADDs (done -1: none)
	slots := make([]slot, len(marks))
	expire := map[string]int64{}
	add := func(kind string, mk streaming.ViewerMark) int {
		key := rollupViewersKey(kind, mk.Key)
		expire[key] = mk.Key.Hour.Add(time.Hour + RollupViewersTTL).Unix()
		cmds = append(cmds, m.c.B().Sadd().Key(key).Member(viewerMember(mk.UserID)).Build())
		return len(cmds) - 1
	}
	for i, mk := range marks {
		slots[i] = slot{play: add("plays", mk), done: -1}
		if mk.Completed {
			slots[i].done = add("done", mk)
		}
	}
	for key, at := range expire {
		cmds = append(cmds, m.c.B().Expireat().Key(key).Timestamp(at).Build())
	}
	res := m.c.DoMulti(ctx, cmds...)
	added := func(i int) (bool, error) {
		n, err := res[i].AsInt64()
		return n == 1, err
	}
	plays, completions = make([]bool, len(marks)), make([]bool, len(marks))
	for i, s := range slots {
		if plays[i], err = added(s.play); err != nil {
			return nil, nil, streaming.Unavailable("Redis", err)
		}
		if s.done >= 0 {
			if completions[i], err = added(s.done); err != nil {
				return nil, nil, streaming.Unavailable("Redis", err)
			}
		}
	}
	for _, r := range res[len(cmds)-len(expire):] {
		if err := r.Error(); err != nil {
			return nil, nil, streaming.Unavailable("Redis", err)
		}
	}
	return plays, completions, nil
}

// UserCountries implements streaming.UserCountries from the user read model: one pipelined HGET of each user's
// document. A user the read model does not hold (never projected, or erased) is absent.
func (m *ReadModel) UserCountries(ctx context.Context, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	cmds := make(rueidis.Commands, len(ids))
	for i, id := range ids {
		cmds[i] = m.c.B().Hget().Key(userProfileKey(id)).Field(fieldUser).Build()
	}
	out := make(map[string]string, len(ids))
	for i, r := range m.c.DoMulti(ctx, cmds...) {
		raw, err := r.ToString()
		if rueidis.IsRedisNil(err) {
			continue
		}
		if err != nil {
			return nil, streaming.Unavailable("Redis", err)
		}
		var u userDoc
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			return nil, fmt.Errorf("decode %s user: %w", userProfileKey(ids[i]), err)
		}
		if u.Country != "" {
			out[ids[i]] = u.Country
		}
	}
	return out, nil
}

var (
	_ streaming.RollupViewers = (*ReadModel)(nil)
	_ streaming.UserCountries = (*ReadModel)(nil)
)
