package grpcapi

import (
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

var invoiceStatusToPB = map[string]pb.InvoiceStatus{
	streaming.InvoiceOpen: pb.InvoiceStatus_INVOICE_STATUS_OPEN, streaming.InvoicePaid: pb.InvoiceStatus_INVOICE_STATUS_PAID,
	streaming.InvoiceUncollectible: pb.InvoiceStatus_INVOICE_STATUS_UNCOLLECTIBLE,
	streaming.InvoiceVoid:          pb.InvoiceStatus_INVOICE_STATUS_VOID,
}

func invoiceToPB(inv *streaming.Invoice) *pb.Invoice {
	out := &pb.Invoice{Id: inv.ID, UserId: inv.UserID, SubscriptionId: inv.SubscriptionID,
		PeriodStart: ts(inv.PeriodStart), PeriodEnd: ts(inv.PeriodEnd), Amount: streaming.FormatCents(inv.AmountCents),
		Currency: inv.Currency, Status: invoiceStatusToPB[inv.Status], Attempts: inv.Attempts,
		CreateTime: ts(inv.CreatedAt), Lines: make([]*pb.InvoiceLine, 0, len(inv.Lines))}
	if inv.Status == streaming.InvoiceOpen && inv.NextAttemptAt != nil {
		out.NextAttemptTime = ts(*inv.NextAttemptAt)
	}
	if inv.PaidAt != nil {
		out.PaidTime = ts(*inv.PaidAt)
	}
	for _, l := range inv.Lines {
		out.Lines = append(out.Lines, &pb.InvoiceLine{Description: l.Description, Amount: streaming.FormatCents(l.AmountCents),
			PlanId: l.PlanID, PeriodStart: ts(l.PeriodStart), PeriodEnd: ts(l.PeriodEnd)})
	}
	return out
}
