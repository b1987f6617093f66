// Test target for semgrep-rules/tokenization/javascript.yml (parsed only, never run).
const Stripe = require('stripe');
const braintree = require('braintree');

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);

// ---------------------------------------------------------------- Stripe server

async function createIntent(req, res) {
  // ruleid: vibeward.javascript.tokenization.stripe-server-tokenized
  const intent = await stripe.paymentIntents.create({
    amount: req.body.amount,
    currency: 'usd',
    payment_method: req.body.paymentMethodId,
    confirm: true,
  });
  res.json({ clientSecret: intent.client_secret });
}

async function checkout(items) {
  // ruleid: vibeward.javascript.tokenization.stripe-server-tokenized
  return stripe.checkout.sessions.create({ mode: 'payment', line_items: items, success_url: 'https://shop/ok' });
}

async function listCharges() {
  // ok: vibeward.javascript.tokenization.stripe-server-tokenized
  return stripe.charges.list({ limit: 3 });
}

// ---------------------------------------------------------------- Stripe.js / Elements

async function pay(stripeJs, elements, clientSecret) {
  // ruleid: vibeward.javascript.tokenization.stripe-elements
  const card = elements.create('card');
  card.mount('#card-element');
  // ruleid: vibeward.javascript.tokenization.stripe-elements
  return stripeJs.confirmCardPayment(clientSecret, { payment_method: { card } });
}

function CheckoutForm() {
  // ruleid: vibeward.javascript.tokenization.stripe-elements
  return <PaymentElement options={{ layout: 'tabs' }} />;
}

// ---------------------------------------------------------------- Braintree / Adyen

const gateway = new braintree.BraintreeGateway({ environment: braintree.Environment.Sandbox });

async function sale(req) {
  // ruleid: vibeward.javascript.tokenization.braintree-nonce
  return gateway.transaction.sale({
    amount: req.body.amount,
    paymentMethodNonce: req.body.nonce,
    options: { submitForSettlement: true },
  });
}

// ruleid: vibeward.javascript.tokenization.adyen-checkout
const adyenCheckout = new CheckoutAPI(adyenClient);

// ---------------------------------------------------------------- violations

async function rawCard(req) {
  // ok: vibeward.javascript.tokenization.stripe-server-tokenized
  // ruleid: vibeward.javascript.tokenization.raw-card-data-to-processor
  return stripe.paymentIntents.create({
    amount: 1000,
    currency: 'usd',
    payment_method_data: { type: 'card', card: { number: req.body.cardNumber, exp_month: 12, exp_year: 2030, cvc: req.body.cvc } },
  });
}

async function rawToken(req) {
  // ruleid: vibeward.javascript.tokenization.raw-card-data-to-processor
  return stripe.tokens.create({ card: { number: req.body.number, exp_month: 1, exp_year: 2030, cvc: req.body.cvc } });
}

async function tokenFromClient(token) {
  // ok: vibeward.javascript.tokenization.raw-card-data-to-processor
  // ruleid: vibeward.javascript.tokenization.stripe-server-tokenized
  return stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_data: { type: 'card', card: { token } } });
}

async function squarePay(client, req) {
  // ruleid: vibeward.javascript.tokenization.square-source-id
  return client.paymentsApi.createPayment({ sourceId: req.body.sourceId, idempotencyKey: req.body.key, amountMoney: { amount: 100n, currency: 'USD' } });
}

async function squareRefund(client, id) {
  // ok: vibeward.javascript.tokenization.square-source-id
  return client.refundsApi.refundPayment({ paymentId: id });
}
