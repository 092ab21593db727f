package cassandra

import (
	"bytes"
	"cmp"
	"context"
	"fmt"

	"github.com/gocql/gocql"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Statements of the watch scan. Both read a whole table in partition order: token(user_id) says where a partition
// lies in that order, and the two tables, keyed alike by user_id in one keyspace, share it.
const (
	scanStarted = `SELECT token(user_id), user_id, content_id, completed FROM continue_watching`
	scanTitles  = `SELECT token(user_id), user_id, content_id FROM user_titles`

	selectPartitioner = `SELECT partitioner FROM system.local`
)

// murmur3 is the partitioner whose tokens are bigints, the order the scan merges by (Cassandra's default).
const murmur3 = "org.apache.cassandra.dht.Murmur3Partitioner"

// maxScanFetch is the largest number of rows one request of the scan fetches, whatever the page size asked for: a
// range read at a quorum gathers its page from several replicas, and larger pages only lengthen each request.
const maxScanFetch = 5000

// ScanWatches calls fn with every watch the store knows of, a (user, title) started, in batches of at most pageSize
// (a positive size). It is the source of a rebuild of the graph's WATCHED edges.
//
// A title started is a row of continue_watching, whose completed is the newest event's flag, and a row of
// user_titles, the per-user index of titles with events. The two usually name the same pairs, but not always:
// continue_watching can lose a title whose events live on (a late event rewrites old events but loses the position
// upsert, so the row expires before them, see WritePartition), and user_titles lacks the titles written only
// before schema step 3. So the scan is a full outer join of the two tables, each pair once: with continue_watching's
// completed when the pair has a row there, otherwise with Completed false (watched, but whether it was finished
// expired with the row). A user_titles row outlives the events it names by up to titleTTLMargin, so a pair whose
// events expired less than a day ago can still appear.
//
// Both tables expire with the TTL (Config.TTL) like the events, so the graph rebuilt from them holds the watches of
// the retention period, not every watch ever: an edge of an older watch is not rebuilt.
//
// How: each table is read by one plain SELECT without a WHERE clause, paged by the driver (PageSize; the driver
// carries Cassandra's paging state from page to page), not by splitting the ring into token ranges. A paged full
// scan returns every row once, in partition order, and resumes after the last key returned, so it is complete and
// never repeats a row; token-range queries would read the same rows with more code, and pay off only when the ranges
// are read in parallel, which a rebuild feeding one graph writer does not need. Both tables come back in the same
// order (token, then key bytes), so the scan walks them side by side one user partition at a time, like a merge
// join: it holds at most a page of each table (two with the driver's prefetch), one user's titles from each, and
// the batch being filled, never the whole table. The partition order is the Murmur3 partitioner's (Cassandra's
// default); on a cluster with another partitioner the scan refuses to start.
//
// The tables are read at the store's consistency, rows written during the scan may or may not be seen (a scan of a
// live table is not a snapshot), and the whole scan costs two reads of two tables that hold one small row per pair.
//
// fn may keep its slice. The scan stops at fn's first error and returns it unchanged; it stops at ctx's end too
// (context.Canceled as is, a deadline as a CodeUnavailable error, like any other call of the store). A failed scan
// may have called fn already; running it again from the start is safe, ApplyWatches only ever raises completed.
func (s *Store) ScanWatches(ctx context.Context, pageSize int, fn func([]streaming.Watch) error) error {
	if pageSize <= 0 {
		return streaming.Invalid("page_size", "must be positive")
	}
	var partitioner string
	if err := s.session.Query(selectPartitioner).WithContext(ctx).Scan(&partitioner); err != nil {
		return mapErr(err)
	}
	if partitioner != murmur3 {
		return fmt.Errorf("cassandra: scan watches: partitioner %s: the scan needs %s", partitioner, murmur3)
	}

	fetch := min(pageSize, maxScanFetch)
	started := newPartitionScan(s.session.Query(scanStarted).WithContext(ctx).PageSize(fetch).Iter(), true)
	defer started.iter.Close()
	titles := newPartitionScan(s.session.Query(scanTitles).WithContext(ctx).PageSize(fetch).Iter(), false)
	defer titles.iter.Close()

	batch := make([]streaming.Watch, 0, pageSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// The rows of a page are in memory already: without this check a cancelled scan would go on calling fn
		// until it needed the next page.
		if err := ctx.Err(); err != nil {
			return mapErr(err)
		}
		if err := fn(batch); err != nil {
			return err
		}
		batch = make([]streaming.Watch, 0, pageSize) // fn may keep the slice it was given
		return nil
	}
	add := func(user gocql.UUID, t title) error {
		batch = append(batch, streaming.Watch{UserID: user.String(), ContentID: t.content.String(), Completed: t.completed})
		if len(batch) < pageSize {
			return nil
		}
		return flush()
	}
	addAll := func(user gocql.UUID, ts []title) error {
		for _, t := range ts {
			if err := add(user, t); err != nil {
				return err
			}
		}
		return nil
	}

	inStarted, err := started.next()
	if err != nil {
		return mapErr(err)
	}
	inTitles, err := titles.next()
	if err != nil {
		return mapErr(err)
	}
	seen := map[gocql.UUID]bool{} // the titles of the current user in continue_watching
	for inStarted || inTitles {
		var order int // where started's partition lies relative to titles'
		switch {
		case !inTitles:
			order = -1
		case !inStarted:
			order = 1
		default:
			order = started.compare(titles)
		}
		if order <= 0 {
			if err := addAll(started.user, started.titles); err != nil {
				return err
			}
		}
		if order == 0 { // the same user in both tables: the titles of user_titles that continue_watching lacks
			clear(seen)
			for _, t := range started.titles {
				seen[t.content] = true
			}
			for _, t := range titles.titles {
				if seen[t.content] {
					continue
				}
				if err := add(titles.user, t); err != nil {
					return err
				}
			}
		}
		if order > 0 { // a user whose continue_watching partition is gone (or never was): every title is unfinished
			if err := addAll(titles.user, titles.titles); err != nil {
				return err
			}
		}
		// Move past the partitions just written. A table that fails here fails the scan at once: read on, the other
		// table's rows would be written as if the failed one had none.
		if order <= 0 {
			if inStarted, err = started.next(); err != nil {
				return mapErr(err)
			}
		}
		if order >= 0 {
			if inTitles, err = titles.next(); err != nil {
				return mapErr(err)
			}
		}
	}
	return flush()
}

// title is one row of a user's partition. completed is false in user_titles, which has no such column, and in a
// continue_watching row written before schema step 2 (null).
type title struct {
	content   gocql.UUID
	completed bool
}

// partitionScan reads a full-table scan of continue_watching or user_titles one user partition at a time. The rows of
// a partition are contiguous in the scan, so a partition ends at the first row of the next one, which is kept as
// read ahead.
type partitionScan struct {
	iter      *gocql.Iter
	completed bool // the rows have the completed column (continue_watching)

	// The row read ahead, when ahead.
	ahead               bool
	nextToken           int64
	nextUser, nextTitle gocql.UUID
	nextCompleted       bool

	// The current partition, after next returned true. titles is reused from partition to partition.
	token  int64
	user   gocql.UUID
	titles []title
}

func newPartitionScan(iter *gocql.Iter, completed bool) *partitionScan {
	p := &partitionScan{iter: iter, completed: completed}
	p.read()
	return p
}

// read reads the next row ahead.
func (p *partitionScan) read() {
	if p.completed {
		p.ahead = p.iter.Scan(&p.nextToken, &p.nextUser, &p.nextTitle, &p.nextCompleted)
	} else {
		p.ahead = p.iter.Scan(&p.nextToken, &p.nextUser, &p.nextTitle)
	}
}

// next makes the next partition current: false at the end of the table, with the error that ended it if any. A
// partition cut short by an error is not returned.
func (p *partitionScan) next() (bool, error) {
	if !p.ahead {
		return false, p.iter.Close()
	}
	p.token, p.user, p.titles = p.nextToken, p.nextUser, p.titles[:0]
	for p.ahead && p.nextToken == p.token && p.nextUser == p.user {
		p.titles = append(p.titles, title{content: p.nextTitle, completed: p.nextCompleted})
		p.read()
	}
	if !p.ahead {
		if err := p.iter.Close(); err != nil {
			return false, err
		}
	}
	return true, nil
}

// compare orders the current partitions of p and q as Cassandra does: by token, then by the key's bytes, unsigned
// (two keys can share a token).
func (p *partitionScan) compare(q *partitionScan) int {
	if c := cmp.Compare(p.token, q.token); c != 0 {
		return c
	}
	return bytes.Compare(p.user[:], q.user[:])
}
