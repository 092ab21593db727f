package grpcapi

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The queries of what each store was chosen for: account risk (Neo4j), catalog analytics (the search server) and a
// user's own viewing (Cassandra).

func (s *QueryServer) GetAccountRisk(ctx context.Context, r *pb.GetAccountRiskRequest) (*pb.GetAccountRiskResponse, error) {
	risk, err := s.H.AccountRisk(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &pb.GetAccountRiskResponse{Risk: riskToPB(risk)}, nil
}

func (s *QueryServer) ListSuspiciousAccounts(ctx context.Context, r *pb.ListSuspiciousAccountsRequest) (*pb.ListSuspiciousAccountsResponse, error) {
	risks, next, err := s.H.SuspiciousAccounts(ctx, int(r.GetPageSize()), r.GetPageToken(), int(r.GetMinScore()))
	if err != nil {
		return nil, err
	}
	out := &pb.ListSuspiciousAccountsResponse{Accounts: make([]*pb.AccountRisk, 0, len(risks)), NextPageToken: next}
	for i := range risks {
		out.Accounts = append(out.Accounts, riskToPB(&risks[i]))
	}
	return out, nil
}

var riskSignalToPB = map[string]pb.RiskSignal{
	streaming.RiskSharedPaymentInstrument: pb.RiskSignal_RISK_SIGNAL_SHARED_PAYMENT_INSTRUMENT,
	streaming.RiskSharedDevice:            pb.RiskSignal_RISK_SIGNAL_SHARED_DEVICE,
	streaming.RiskConcurrentNetworks:      pb.RiskSignal_RISK_SIGNAL_CONCURRENT_NETWORKS,
}

func riskToPB(r *streaming.AccountRisk) *pb.AccountRisk {
	out := &pb.AccountRisk{UserId: r.UserID, Score: int32(r.Score), Reasons: make([]*pb.RiskReason, 0, len(r.Reasons))}
	for _, why := range r.Reasons {
		out.Reasons = append(out.Reasons, &pb.RiskReason{Signal: riskSignalToPB[why.Signal], Weight: int32(why.Weight),
			Count: int32(why.Count), RelatedUserIds: why.RelatedIDs, Description: why.Description})
	}
	return out
}

var intervalFromPB = map[pb.AnalyticsInterval]string{
	pb.AnalyticsInterval_ANALYTICS_INTERVAL_UNSPECIFIED: "",
	pb.AnalyticsInterval_ANALYTICS_INTERVAL_HOUR:        streaming.IntervalHour,
	pb.AnalyticsInterval_ANALYTICS_INTERVAL_DAY:         streaming.IntervalDay,
}

func (s *QueryServer) GetContentAnalytics(ctx context.Context, r *pb.GetContentAnalyticsRequest) (*pb.GetContentAnalyticsResponse, error) {
	q := streaming.AnalyticsQuery{Interval: intervalFromPB[r.GetInterval()], ContentID: r.GetContentId(),
		Country: r.GetCountry(), TopN: int(r.GetTopN())}
	if r.GetStartTime() != nil {
		q.Start = r.GetStartTime().AsTime()
	}
	if r.GetEndTime() != nil {
		q.End = r.GetEndTime().AsTime()
	}
	if d := r.GetDevice(); d != pb.Device_DEVICE_UNSPECIFIED {
		q.Device = wire.DeviceFromPB(d)
	}
	a, err := s.H.ContentAnalytics(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &pb.GetContentAnalyticsResponse{Totals: metricsToPB(a.Totals),
		Histogram: make([]*pb.AnalyticsBucket, 0, len(a.Histogram)),
		TopTitles: termsToPB(a.TopTitles, nil), ByCountry: termsToPB(a.ByCountry, nil),
		ByDevice: termsToPB(a.ByDevice, func(d string) string { return wire.DeviceToPB(d).String() })}
	for _, b := range a.Histogram {
		out.Histogram = append(out.Histogram, &pb.AnalyticsBucket{StartTime: timestamppb.New(b.Start), Metrics: metricsToPB(b.Metrics)})
	}
	return out, nil
}

func metricsToPB(m streaming.PlaybackMetrics) *pb.PlaybackMetrics {
	return &pb.PlaybackMetrics{SecondsWatched: m.Seconds, Plays: m.Plays, Completions: m.Completions, Events: m.Events}
}

// termsToPB converts a breakdown; name, if not nil, names each key as the contract does.
func termsToPB(terms []streaming.AnalyticsTerm, name func(string) string) []*pb.AnalyticsTerm {
	out := make([]*pb.AnalyticsTerm, 0, len(terms))
	for _, t := range terms {
		key := t.Key
		if name != nil {
			key = name(key)
		}
		out = append(out, &pb.AnalyticsTerm{Key: key, Metrics: metricsToPB(t.Metrics)})
	}
	return out
}

func (s *QueryServer) GetViewingStats(ctx context.Context, r *pb.GetViewingStatsRequest) (*pb.GetViewingStatsResponse, error) {
	from, err := parseDay("from_date", r.GetFromDate())
	if err != nil {
		return nil, err
	}
	to, err := parseDay("to_date", r.GetToDate())
	if err != nil {
		return nil, err
	}
	st, err := s.H.ViewingStats(ctx, r.GetUserId(), from, to)
	if err != nil {
		return nil, err
	}
	out := &pb.GetViewingStatsResponse{FromDate: st.From.Format(time.DateOnly), ToDate: st.To.Format(time.DateOnly),
		SecondsWatched: st.Seconds}
	for _, d := range st.Days {
		out.Days = append(out.Days, &pb.DailyViewing{Date: d.Day.Format(time.DateOnly), SecondsWatched: d.Seconds})
	}
	for _, g := range st.Genres {
		out.Genres = append(out.Genres, &pb.GenreViewing{Genre: g.Genre, SecondsWatched: g.Seconds})
	}
	return out, nil
}

// parseDay reads a "YYYY-MM-DD" day (UTC); "" is the zero time (the query's default).
func parseDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, streaming.Invalid(field, "%q is not a date YYYY-MM-DD", s)
	}
	return d, nil
}
