package ingest

import (
	"time"
)

// readyTarget is how many groups per writer the linger loop keeps ready while the writers are busy. Past it,
// expired groups stay open and keep gathering events of their partition (group commit): under load a partition
// write carries many events instead of one or two, so the store sees fewer, fuller requests exactly when it is the
// bottleneck, while an idle pipeline still writes every group after Linger.
const readyTarget = maxChunk

// wakeLinger starts the idle linger loop if a group is open. p.mu must be held.
func (p *Pipeline) wakeLinger() {
	if p.lingerIdle && p.fifo.len() > 0 {
		p.lingerIdle = false
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
}

// lingerLoop flushes groups that have waited Linger. It ticks every Linger/2 and flushes groups opened two ticks
// ago or earlier, so no group waits longer than Linger (plus scheduling delay) while writers are free; it sleeps
// while nothing is open. While readyTarget groups per writer are already waiting it holds the rest back, and a
// writer that runs out of work wakes it (hungry) to hand over the oldest held groups at once.
func (p *Pipeline) lingerLoop() {
	every := max(p.cfg.Linger/2, 50*time.Microsecond)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-p.kick:
		case <-p.sem.done():
			return
		}
		timer.Reset(every)
		target := int64(readyTarget * len(p.slots))
		for idle := false; !idle; {
			tick := false
			select {
			case <-timer.C:
				tick = true
			case <-p.hungry:
			case <-p.sem.done():
				return
			}
			p.mu.Lock()
			if tick {
				p.epoch++
			}
			budget := target - p.readyLen.Load()
			held := false
			for p.fifo.len() > 0 {
				e := p.fifo.peek()
				if e.g.gen == e.gen && e.g.open {
					if e.epoch+2 > p.epoch {
						break
					}
					if budget <= 0 {
						held = true
						break
					}
					p.flushGroup(e.g)
					budget--
				}
				p.fifo.pop()
			}
			p.held.Store(held)
			p.pushReady()
			p.pruneOpen()
			if p.fifo.len() == 0 {
				idle, p.lingerIdle = true, true
			}
			p.mu.Unlock()
			if tick && !idle {
				timer.Reset(every)
			}
		}
	}
}
