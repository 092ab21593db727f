package ingest

import (
	"sync/atomic"
)

// openRef is an open-map entry: valid while g is open under generation gen.
type openRef struct {
	g   *group
	gen uint64
}

// group is one partition's events waiting for, or in, one write: references to them, since the events stay where
// Submit received them (in their Ticket) until the writer gathers them. gen and open belong to Pipeline.mu; refs is
// written under Pipeline.mu while the group is open and only read once it is ready.
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

// addToGroups adds t's events to their partitions' open groups, opening groups as needed and flushing those that
// reach MaxBatch. p.mu must be held.
func (p *Pipeline) addToGroups(t *Ticket) {
	for i := range t.events {
		e := &t.events[i]
		k := partitionOf(e.UserID, e.ContentID)
		o := p.open.get(k)
		g := o.g
		if g == nil || g.gen != o.gen || !g.open { // none, or a flushed group's entry (see flushGroup)
			g = p.openGroup(k)
		}
		g.refs = append(g.refs, ref{t, int32(i)})
		if len(g.refs) >= p.cfg.MaxBatch {
			p.flushGroup(g)
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

// openGroup starts key's group. p.mu must be held.
func (p *Pipeline) openGroup(k partition) *group {
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
	g.key, g.gen, g.open = k, p.gen, true
	g.finished.Store(false)
	p.open.put(k, openRef{g, g.gen})
	p.fifo.push(openEntry{g: g, gen: g.gen, epoch: p.epoch})
	return g
}

// flushGroup closes g to new events and adds it to flushBuf. p.mu must be held.
//
// Its map entry stays (an entry whose group is closed or reopened under a later generation counts as absent):
// deleting rehashes the key, which cost as much as the lookup; the next event of the partition overwrites the
// entry, and pruneOpen drops the stale ones in bulk.
func (p *Pipeline) flushGroup(g *group) {
	g.open = false
	p.flushBuf = append(p.flushBuf, g)
}

// pruneOpen rebuilds the open map from the open groups once stale entries outnumber them, so the map stays
// proportional to the open groups at amortized constant cost per group. p.mu must be held.
func (p *Pipeline) pruneOpen() {
	if p.open.len() <= 4*p.fifo.len()+1024 {
		return
	}
	p.open.reset()
	for i := 0; i < p.fifo.len(); i++ {
		if e := p.fifo.at(i); e.g.gen == e.gen && e.g.open {
			p.open.put(e.g.key, openRef{e.g, e.gen})
		}
	}
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
