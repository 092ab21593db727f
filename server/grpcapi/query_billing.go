package grpcapi

import (
	"context"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The billing queries of QueryService (docs/billing.md).

func (s *QueryServer) ListInvoices(ctx context.Context, r *pb.ListInvoicesRequest) (*pb.ListInvoicesResponse, error) {
	invs, next, err := s.H.ListInvoices(ctx, r.GetUserId(), int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.ListInvoicesResponse{Invoices: make([]*pb.Invoice, 0, len(invs)), NextPageToken: next}
	for i := range invs {
		out.Invoices = append(out.Invoices, invoiceToPB(&invs[i]))
	}
	return out, nil
}

func (s *QueryServer) GetRevenueReport(ctx context.Context, r *pb.GetRevenueReportRequest) (*pb.GetRevenueReportResponse, error) {
	rows, err := s.H.RevenueReport(ctx, r.GetFromMonth(), r.GetToMonth())
	if err != nil {
		return nil, err
	}
	out := &pb.GetRevenueReportResponse{Rows: make([]*pb.RevenueRow, 0, len(rows))}
	for _, row := range rows {
		out.Rows = append(out.Rows, &pb.RevenueRow{Month: row.Month, PlanId: row.PlanID, PlanName: row.PlanName,
			Currency: row.Currency, PaidInvoices: row.PaidInvoices, Revenue: streaming.FormatCents(row.RevenueCents),
			PayingSubscriptions: row.PayingSubscriptions})
	}
	return out, nil
}
