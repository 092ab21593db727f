package ingest

import (
	"sync/atomic"

	"github.com/streamingplatform/streaming/server/streaming"
)

// group is one partition's events waiting for, or in, one write: references to them, since the events stay where
// Submit received them (in their Ticket) until the writer gathers them. gen and open belong to Pipeline.mu. While
// the group is open its references are kept in its partition's slot of the open table (openSlot.refs), beside the
// key the events are looked up by; flushing moves them into refs, which is only read once the group is ready.
type group struct {
	key      partition
	gen      uint64
	open     bool
	refs     []ref
	finished atomic.Bool // set by whoever decides the group's result: its writer, or Close giving up
}

// ref is one event of a group: the i-th of its Ticket's.
type ref struct {
	t *Ticket
	i int32
}

type openEntry struct {
	g     *group
	gen   uint64
	epoch uint64
}

// partitionsOf appends the partition of each of events to keys. Submit computes them before it takes p.mu, so the
// lock is held only to look them up.
func partitionsOf(keys []partition, events []streaming.PlaybackEvent) []partition {
	for i := range events {
		keys = append(keys, partitionOf(events[i].UserID, events[i].ContentID))
	}
	return keys
}

// addToGroups adds t's events, whose partitions are keys, to their partitions' open groups, opening groups as
// needed and flushing those that reach MaxBatch. p.mu must be held.
func (p *Pipeline) addToGroups(t *Ticket, keys []partition) {
	for i, k := range keys {
		s := p.open.slot(k)
		if s.g == flushedGroup {
			p.openGroup(s)
		}
		s.refs = append(s.refs, ref{t, int32(i)})
		if len(s.refs) >= p.cfg.MaxBatch {
			p.flushSlot(s)
		}
	}
}

// flushOpen flushes every open group. p.mu must be held.
func (p *Pipeline) flushOpen() {
	for p.fifo.len() > 0 {
		if e := p.fifo.pop(); e.g.gen == e.gen && e.g.open {
			p.flushGroup(e.g)
		}
	}
}

// openGroup starts a group in s, a slot without one. p.mu must be held.
func (p *Pipeline) openGroup(s *openSlot) {
	if len(p.spare) == 0 && p.freeLen.Load() > 0 {
		p.rmu.Lock()
		p.spare, p.free = p.free, p.spare
		p.freeCap = 0
		p.freeLen.Store(0)
		p.rmu.Unlock()
	}
	var g *group
	if n := len(p.spare); n > 0 {
		g = p.spare[n-1]
		p.spare[n-1] = nil
		p.spare = p.spare[:n-1]
	} else {
		// Start small: with many partitions most groups hold one event, and memory must stay proportional to
		// the events queued. Reused groups keep what they grew to.
		g = &group{refs: make([]ref, 0, 1)}
	}
	p.gen++
	g.key, g.gen, g.open = s.key, p.gen, true
	g.finished.Store(false)
	s.g, s.refs, g.refs = g, g.refs[:0], nil // the slot holds the events while the group is open
	p.fifo.push(openEntry{g: g, gen: g.gen, epoch: p.epoch})
}

// flushGroup closes g, an open group, to new events and adds it to flushBuf. p.mu must be held.
func (p *Pipeline) flushGroup(g *group) {
	s := p.open.find(g.key)
	if s == nil || s.g != g {
		panic("ingest: an open group is missing from the open table")
	}
	p.flushSlot(s)
}

// flushSlot closes s's open group, moving the events from the slot into the group, and adds it to flushBuf. The
// slot stays, marked flushedGroup, so the partition's next event finds it. p.mu must be held.
func (p *Pipeline) flushSlot(s *openSlot) {
	g := s.g
	g.refs, s.refs, s.g = s.refs, nil, flushedGroup
	g.open = false
	p.flushBuf = append(p.flushBuf, g)
}

// pruneOpen drops the slots of partitions without an open group once they outnumber the open groups, so the table
// stays proportional to the open groups at amortized constant cost per group. p.mu must be held.
func (p *Pipeline) pruneOpen() {
	if p.open.len() <= 4*p.fifo.len()+1024 {
		return
	}
	p.pruneBuf = p.open.keepOpen(p.pruneBuf)
}

// pushReady hands flushBuf to the writers. p.mu must be held.
func (p *Pipeline) pushReady() {
	if len(p.flushBuf) == 0 {
		return
	}
	p.rmu.Lock()
	for _, g := range p.flushBuf {
		p.ready.push(g)
	}
	p.readyLen.Store(int64(p.ready.len()))
	for i := min(len(p.flushBuf), p.idle); i > 0; i-- {
		p.rcond.Signal()
	}
	p.rmu.Unlock()
	clear(p.flushBuf)
	p.flushBuf = p.flushBuf[:0]
}
