package query

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

// AccountRisk is an account's risk from its links in the graph (streaming.ScoreRisk).
func (h *Handler) AccountRisk(ctx context.Context, userID string) (*streaming.AccountRisk, error) {
	links, err := h.Risk.RiskLinks(ctx, userID)
	if err != nil {
		return nil, err
	}
	links.UserID = userID
	r := streaming.ScoreRisk(links)
	return &r, nil
}

// SuspiciousAccounts lists the accounts scoring at least minScore (0 means 1), highest first, then by user id. Every
// call scores the graph's accounts with a signal (at most MaxSuspiciousCandidates, those with the most links first)
// and pages through them with a token naming the last account's score and id.
func (h *Handler) SuspiciousAccounts(ctx context.Context, pageSize int, pageToken string, minScore int) ([]streaming.AccountRisk, string, error) {
	pageSize, minScore = orDefault(pageSize, DefaultSuspiciousPage), max(minScore, 1)
	var after *streaming.AccountRisk
	if pageToken != "" {
		score, id, ok := parseRiskCursor(pageToken)
		if !ok {
			return nil, "", streaming.Invalid("page_token", "is not a token this list gave")
		}
		after = &streaming.AccountRisk{UserID: id, Score: score}
	}
	links, err := h.Risk.SuspiciousLinks(ctx, MaxSuspiciousCandidates)
	if err != nil {
		return nil, "", err
	}
	var out []streaming.AccountRisk
	for _, l := range links {
		if r := streaming.ScoreRisk(l); r.Score >= minScore && (after == nil || riskBefore(*after, r)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b streaming.AccountRisk) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.UserID, b.UserID))
	})
	if len(out) <= pageSize {
		return out, "", nil
	}
	out = out[:pageSize]
	last := out[len(out)-1]
	return out, riskCursor(last), nil
}

// riskBefore orders the list: a is listed before b.
func riskBefore(a, b streaming.AccountRisk) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.UserID < b.UserID
}

// riskCursor is the page token after r: base64url (unpadded) of "<score>,<user id>".
func riskCursor(r streaming.AccountRisk) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(r.Score) + "," + r.UserID))
}

func parseRiskCursor(c string) (score int, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", false
	}
	s, id, found := strings.Cut(string(b), ",")
	score, err = strconv.Atoi(s)
	if !found || err != nil || score < 0 || score > 100 {
		return 0, "", false
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return 0, "", false
	}
	return score, id, true
}
