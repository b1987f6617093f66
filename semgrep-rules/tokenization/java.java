package com.example.payments;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.Result;
import com.braintreegateway.Transaction;
import com.braintreegateway.TransactionRequest;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentCreateParams;

@Service
class StripePaymentService {
    PaymentIntent charge(long amountCents, String paymentMethodId, String customerId) throws StripeException {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
            .setAmount(amountCents)
            .setCurrency("eur")
            .setCustomer(customerId)
            .setPaymentMethod(paymentMethodId)
            .setConfirm(true)
            .build();
        // ruleid: vibeward.java.tokenization.stripe-payment-method
        return PaymentIntent.create(params);
    }

    void refund(String intentId) throws StripeException {
        // ok: vibeward.java.tokenization.stripe-payment-method
        Refund.create(RefundCreateParams.builder().setPaymentIntent(intentId).build());
    }
}

@Service
class BraintreePaymentService {
    private final BraintreeGateway gateway;

    Result<Transaction> pay(BigDecimal amount, String nonceFromTheClient) {
        TransactionRequest request = new TransactionRequest()
            .amount(amount)
            // ruleid: vibeward.java.tokenization.braintree-nonce
            .paymentMethodNonce(nonceFromTheClient)
            .options().submitForSettlement(true).done();
        // ruleid: vibeward.java.tokenization.braintree-nonce
        return gateway.transaction().sale(request);
    }
}

@Service
class AdyenPaymentService {
    PaymentResponse pay(Client client, PaymentRequest paymentRequest) throws Exception {
        // ruleid: vibeward.java.tokenization.adyen-checkout
        PaymentsApi paymentsApi = new PaymentsApi(client);
        return paymentsApi.payments(paymentRequest);
    }
}

@Service
class CardVaultClient {
    String store(String pan) {
        // ruleid: vibeward.java.tokenization.token-vault
        return tokenService.tokenize(pan);
    }

    String[] words(String text) {
        // ok: vibeward.java.tokenization.token-vault
        return lexer.tokenize(text);
    }
}
