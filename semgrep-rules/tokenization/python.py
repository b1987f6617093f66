# Test target for semgrep-rules/tokenization/python.yml (parsed only, never run).
import Adyen
import braintree
import stripe
from flask import request

# ================================================================ Stripe


def create_payment_intent(amount):
    # ruleid: vibeward.python.tokenization.stripe-js-token
    pm = request.json["payment_method_id"]
    # ruleid: vibeward.python.tokenization.stripe-tokenized-payment
    intent = stripe.PaymentIntent.create(amount=amount, currency="usd", payment_method=pm, confirm=True)
    return intent.client_secret


def charge_legacy():
    # ruleid: vibeward.python.tokenization.stripe-js-token
    token = request.form["stripeToken"]
    # ruleid: vibeward.python.tokenization.stripe-tokenized-payment
    customer = stripe.Customer.create(email=request.form["email"], source=token)
    # ruleid: vibeward.python.tokenization.stripe-tokenized-payment
    stripe.Charge.create(customer=customer.id, amount=500, currency="usd")
    # ok: vibeward.python.tokenization.stripe-tokenized-payment
    stripe.Customer.create(email="x@example.com")
    # ok: vibeward.python.tokenization.stripe-js-token
    choice = request.form["payment_method"]


def checkout_session():
    # ruleid: vibeward.python.tokenization.stripe-tokenized-payment
    return stripe.checkout.Session.create(mode="payment", line_items=[{"price": "price_1", "quantity": 1}], success_url="https://x")


def stripe_client(client):
    # ruleid: vibeward.python.tokenization.stripe-client-tokenized-payment
    return client.v1.payment_intents.create(params={"amount": 100, "currency": "eur"})


# ================================================================ Braintree

gateway = braintree.BraintreeGateway(braintree.Configuration(braintree.Environment.Sandbox, merchant_id="m", public_key="p", private_key="k"))


def client_token():
    # ruleid: vibeward.python.tokenization.braintree-client-token
    return gateway.client_token.generate()


def create_checkout():
    # ruleid: vibeward.python.tokenization.braintree-nonce
    result = gateway.transaction.sale({
        "amount": request.form["amount"],
        "payment_method_nonce": request.form["payment_method_nonce"],
        "options": {"submit_for_settlement": True},
    })
    # ruleid: vibeward.python.tokenization.braintree-nonce
    braintree.Transaction.sale({"amount": "10.00", "payment_method_token": stored_token})
    # ok: vibeward.python.tokenization.braintree-nonce
    gateway.transaction.find(result.transaction.id)
    return result


# ================================================================ Adyen

# ruleid: vibeward.python.tokenization.adyen-checkout
adyen = Adyen.Adyen()


def adyen_pay(payload):
    # ruleid: vibeward.python.tokenization.adyen-checkout
    return adyen.checkout.payments_api.payments(request={"amount": {"value": 1000, "currency": "EUR"}, "paymentMethod": payload["paymentMethod"]})


# ================================================================ generic tokenize


def store_card(card_number, vault):
    # ruleid: vibeward.python.tokenization.tokenize-call
    token = vault.tokenize(card_number)
    # ruleid: vibeward.python.tokenization.tokenize-call
    ref = tokenize_card(form.data)
    return token, ref


def nlp(text, tokenizer):
    # ok: vibeward.python.tokenization.tokenize-call
    words = nltk.word_tokenize(text)
    # ok: vibeward.python.tokenization.tokenize-call
    ids = tokenizer.tokenize(text)
    return words, ids


# ================================================================ violations


def server_side_card():
    # ruleid: vibeward.python.tokenization.raw-card-data-to-processor
    pm = stripe.PaymentMethod.create(type="card", card={"number": request.form["card_number"], "exp_month": 12, "exp_year": 2030, "cvc": request.form["cvc"]})
    return pm


def server_side_token(card):
    # ruleid: vibeward.python.tokenization.raw-card-data-to-processor
    return stripe.Token.create(card=card)


def braintree_raw():
    # ruleid: vibeward.python.tokenization.raw-card-data-to-processor
    return gateway.transaction.sale({"amount": "10.00", "credit_card": {"number": request.form["cc"], "expiration_date": "05/2030"}})


# ================================================================ more near-misses


def near_misses(client, cart):
    # ok: vibeward.python.tokenization.stripe-client-tokenized-payment
    client.users.create(email="a@example.com")
    # ok: vibeward.python.tokenization.braintree-client-token
    csrf_token = generate_csrf_token()
    # ok: vibeward.python.tokenization.adyen-checkout
    cart.checkout.complete()
    # ok: vibeward.python.tokenization.raw-card-data-to-processor
    # ruleid: vibeward.python.tokenization.stripe-tokenized-payment, vibeward.python.tokenization.stripe-js-token
    stripe.PaymentMethod.create(type="card", card={"token": request.form["stripeToken"]})
