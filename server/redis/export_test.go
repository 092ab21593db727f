package redis

import "time"

// SetClock makes Apply keep the top lists of the hour now() is in (the tests count in far-future hours).
func (t *Trending) SetClock(now func() time.Time) { t.now = now }
