package payments

import (
	"context"

	"github.com/braintree-go/braintree-go"
	"github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/paymentintent"
	"github.com/stripe/stripe-go/v79/token"
)

// ---------------------------------------------------------------- evidence

func charge(amount int64, paymentMethodID string) (*stripe.PaymentIntent, error) {
	params := &stripe.PaymentIntentParams{
		Amount:        stripe.Int64(amount),
		Currency:      stripe.String(string(stripe.CurrencyUSD)),
		PaymentMethod: stripe.String(paymentMethodID),
		Confirm:       stripe.Bool(true),
	}
	// ruleid: vibeward.go.tokenization.stripe-tokenized-payment
	return paymentintent.New(params)
}

func chargeClient(ctx context.Context, sc *stripe.Client, amount int64) (*stripe.PaymentIntent, error) {
	// ruleid: vibeward.go.tokenization.stripe-tokenized-payment
	return sc.V1PaymentIntents.Create(ctx, &stripe.PaymentIntentCreateParams{
		Amount:   stripe.Int64(amount),
		Currency: stripe.String("usd"),
	})
}

func sale(ctx context.Context, bt *braintree.Braintree, nonce string) (*braintree.Transaction, error) {
	return bt.Transaction().Create(ctx, &braintree.TransactionRequest{
		Type:   "sale",
		Amount: braintree.NewDecimal(100, 2),
		// ruleid: vibeward.go.tokenization.braintree-nonce
		PaymentMethodNonce: nonce,
	})
}

func adyenPay(ctx context.Context, client *adyen.APIClient, encNumber, encMonth, encYear string) error {
	method := checkout.CardDetails{
		// ruleid: vibeward.go.tokenization.adyen-encrypted-card
		EncryptedCardNumber: &encNumber,
		EncryptedExpiryMonth: &encMonth,
		EncryptedExpiryYear:  &encYear,
	}
	req := checkout.PaymentRequest{PaymentMethod: checkout.CardDetailsAsCheckoutPaymentMethod(&method)}
	// ruleid: vibeward.go.tokenization.adyen-encrypted-card
	_, _, err := client.Checkout().PaymentsApi.Payments(ctx, client.Checkout().PaymentsApi.PaymentsInput().PaymentRequest(req))
	return err
}

// --------------------------------------------------------------- violations

func rawCardToken(number, month, year, cvc string) (*stripe.Token, error) {
	return token.New(&stripe.TokenParams{
		Card: &stripe.CardParams{
			// ruleid: vibeward.go.tokenization.raw-card-number-to-processor
			Number:   stripe.String(number),
			ExpMonth: stripe.String(month),
			ExpYear:  stripe.String(year),
			CVC:      stripe.String(cvc),
		},
	})
}

func rawBraintree(ctx context.Context, bt *braintree.Braintree, pan string) (*braintree.Transaction, error) {
	return bt.Transaction().Create(ctx, &braintree.TransactionRequest{
		Type:   "sale",
		Amount: braintree.NewDecimal(100, 2),
		CreditCard: &braintree.CreditCard{
			// ruleid: vibeward.go.tokenization.raw-card-number-to-processor
			Number:         pan,
			ExpirationDate: "05/28",
		},
	})
}

// ------------------------------------------------------------- near misses

func lookup(id string) (*stripe.PaymentIntent, error) {
	// ok: vibeward.go.tokenization.stripe-tokenized-payment
	return paymentintent.Get(id, nil)
}

type Card struct {
	// ok: vibeward.go.tokenization.raw-card-number-to-processor
	Number string
}

func show(c Card) Card {
	// ok: vibeward.go.tokenization.raw-card-number-to-processor
	return Card{Number: "**** " + c.Number[len(c.Number)-4:]}
}
