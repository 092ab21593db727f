package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/olivere/elastic/v7"
)

// RebuildReport says what a Rebuild did, also when it failed part way.
type RebuildReport struct {
	Index     string        // the index built: <alias>_v<MappingVersion>_r<UTC yyyymmddhhmmss>
	Replaced  []string      // the indices the alias pointed at before
	Swapped   bool          // the alias was moved to Index (searches read it)
	Deleted   bool          // the replaced indices were deleted
	Documents int64         // documents in Index once done
	Took      time.Duration // the whole rebuild (set when it succeeds)
}

// rebuildTimeFormat names a rebuilt index after the moment it was started (UTC, to the second, lower case).
const rebuildTimeFormat = "20060102150405"

// Rebuild rebuilds the search read model into a new index and moves the alias to it, with no moment at which a
// search through the alias fails or finds no index. fill must project every title of the catalog, read anew from
// the source of truth on each call, through the projector it is given: each title's ContentUpserted at its version
// and its ContentRatingAggregated figures, just as the outbox relay delivers them.
//
//  1. A new index <alias>_v<MappingVersion>_r<UTC yyyymmddhhmmss> is created with EnsureIndex's mapping and
//     settings, but with refresh off while it loads (nobody reads it yet, and each refresh would only make segments
//     to merge later).
//  2. First pass: fill writes into the new index by name. The live outbox relay keeps writing through the alias,
//     which still leads to the old index, so searches and writes go on as before.
//  3. The refresh interval is restored and the new index refreshed, so it shows every title the moment the alias
//     leads to it; then one _aliases request removes the alias from every index it pointed at and adds it to the
//     new one. The server applies the actions together, so a search resolves the alias either to the old index or
//     to the new, never to none or both. If an old index lost the alias meanwhile (another rebuild moved it), the
//     request fails as a whole and nothing moves.
//  4. Second pass: fill runs again, now through the alias (which leads to the new index only). A change committed
//     after the first pass read its title but before the swap was projected by the relay into the old index only;
//     this pass reads it from the source and writes it into the new index. Changes committed after the swap reach
//     the new index through the relay as well. The writes are versioned (external versions, see Project), so
//     whichever of the relay and this pass comes second never replaces a newer title with an older one, and a
//     title this pass finds unchanged is not rewritten. Until the second pass is through, a title changed during
//     the first pass may show its previous version.
//  5. The old indices are deleted. A relay write that resolved the alias to an old index just before the swap was
//     of a change committed before it, which the second pass has covered; if it arrives after the deletion it
//     fails, and the relay retries it through the alias.
//
// A failure before the swap deletes the new index and leaves the alias as it was. A failure after it leaves the
// alias on the new index and keeps the old ones; the error says so, and running Rebuild again (which re-reads
// everything) repairs it; the kept indices are then for an operator to delete. Two rebuilds of one alias must not
// run at once: the second swap would fail and its work be thrown away, but nothing is lost. Rebuilding twice within
// a second is refused (the new index would have the same name).
//
// Limitation: rating figures are not versioned in the document (they are applied at the title's version), so a
// second pass that reads a title's figures just before the relay indexes newer ones may write the older figures
// after them; that title's next rating event corrects them.
func (x *Index) Rebuild(ctx context.Context, fill func(ctx context.Context, p *Projector) error) (RebuildReport, error) {
	start := time.Now()
	report := RebuildReport{Index: fmt.Sprintf("%s_r%s", x.index, start.UTC().Format(rebuildTimeFormat))}
	name := report.Index
	if fill == nil {
		return report, errors.New("search: rebuild: no fill function")
	}
	old, err := x.aliasIndices(ctx)
	if err != nil {
		return report, fmt.Errorf("search: rebuild %s: %w", x.alias, err)
	}
	report.Replaced = old
	if err := x.createIndex(ctx, name, map[string]any{"refresh_interval": "-1"}); err != nil {
		if isType(err, "resource_already_exists_exception") {
			// Not ours to delete: another rebuild started in the same second, or one just finished.
			return report, fmt.Errorf("search: rebuild %s: index %s exists already: another rebuild started within the same second", x.alias, name)
		}
		return report, classify("rebuild "+x.alias+": create index "+name, err)
	}

	// abort deletes the new index, which the alias does not lead to, and returns cause (with the deletion's error).
	abort := func(cause error) (RebuildReport, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout) // ctx may be what failed
		defer cancel()
		if _, err := x.client.DeleteIndex(name).Do(cctx); err != nil && !elastic.IsNotFound(err) {
			return report, errors.Join(cause, classify("rebuild "+x.alias+": delete unused index "+name, err))
		}
		return report, cause
	}

	if err := fill(ctx, &Projector{x: x, target: name}); err != nil {
		return abort(fmt.Errorf("search: rebuild %s: first pass into %s: %w", x.alias, name, err))
	}
	// null restores the default interval.
	if _, err := x.client.IndexPutSettings(name).BodyJson(map[string]any{"index": map[string]any{"refresh_interval": nil}}).Do(ctx); err != nil {
		return abort(classify("rebuild "+x.alias+": restore the refresh interval of "+name, err))
	}
	if _, err := x.client.Refresh(name).Do(ctx); err != nil {
		return abort(classify("rebuild "+x.alias+": refresh "+name, err))
	}

	actions := make([]elastic.AliasAction, 0, 2)
	if len(old) > 0 {
		actions = append(actions, elastic.NewAliasRemoveAction(x.alias).Index(old...))
	}
	actions = append(actions, elastic.NewAliasAddAction(x.alias).Index(name))
	_, swapErr := x.client.Alias().Action(actions...).Do(ctx)
	// Where the alias leads now decides what is safe to delete: an answer lost on the way (a timeout, a dropped
	// connection) may hide a swap the server made, and deleting the index the alias leads to would fail every search.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
	now, err := x.aliasIndices(lctx)
	cancel()
	switch {
	case err != nil:
		cause := fmt.Errorf("search: rebuild %s: cannot tell whether the alias moved to %s, which is kept: %w", x.alias, name, err)
		if swapErr != nil {
			cause = errors.Join(classify("rebuild "+x.alias+": move the alias to "+name, swapErr), cause)
		}
		return report, cause
	case !slices.Contains(now, name):
		if swapErr == nil {
			swapErr = fmt.Errorf("the alias leads to %v after the swap, not %s", now, name)
		}
		return abort(classify("rebuild "+x.alias+": move the alias to "+name, swapErr))
	}
	report.Swapped = true
	if len(now) != 1 {
		return report, fmt.Errorf("search: rebuild %s: the alias leads to %v after the swap, want only %s (something else moved it); %v kept",
			x.alias, now, name, old)
	}

	if err := fill(ctx, x.Projector()); err != nil {
		return report, fmt.Errorf("search: rebuild %s: the alias leads to %s, but its second pass failed, so changes made during the first pass may be missing (rebuild again; %v kept): %w",
			x.alias, name, old, err)
	}
	if len(old) > 0 {
		if _, err := x.client.DeleteIndex(old...).Do(ctx); err != nil && !elastic.IsNotFound(err) {
			return report, classify(fmt.Sprintf("rebuild %s: done, but delete the replaced indices %v", x.alias, old), err)
		}
	}
	report.Deleted = true
	// Makes the second pass visible now rather than within a second, and the count exact.
	if _, err := x.client.Refresh(name).Do(ctx); err != nil {
		return report, classify("rebuild "+x.alias+": done, but refresh "+name, err)
	}
	if report.Documents, err = x.client.Count(name).Do(ctx); err != nil {
		return report, classify("rebuild "+x.alias+": done, but count "+name, err)
	}
	report.Took = time.Since(start)
	return report, nil
}
