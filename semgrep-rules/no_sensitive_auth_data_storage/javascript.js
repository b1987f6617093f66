// Test target for semgrep-rules/no_sensitive_auth_data_storage/javascript.yml (parsed only, never run).
const mongoose = require('mongoose');
const { Schema } = mongoose;

// ---------------------------------------------------------------- schema fields

const cardSchema = new Schema({
  last4: String,
  brand: String,
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-schema-field
  cvv: { type: String, required: true },
  // ok: vibeward.javascript.no_sensitive_auth_data_storage.sad-schema-field
  expMonth: Number,
});

const Payment = sequelize.define('Payment', {
  amount: DataTypes.INTEGER,
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-schema-field
  securityCode: DataTypes.STRING,
});

exports.up = (knex) =>
  knex.schema.createTable('cards', (table) => {
    table.increments('id');
    // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-schema-field
    table.string('card_cvv', 4);
  });

// ---------------------------------------------------------------- persisted

async function saveCard(req, Card) {
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-persisted
  await Card.create({ userId: req.user.id, number: req.body.number, cvv: req.body.cvv });
}

async function savePrisma(prisma, body) {
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-persisted
  await prisma.card.create({ data: { last4: body.number.slice(-4), cvc: body.cvc } });
}

function rememberCard(form) {
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-persisted
  localStorage.setItem('cvv', form.cvv.value);
}

async function tokenize(stripe, body) {
  // ok: vibeward.javascript.no_sensitive_auth_data_storage.sad-persisted
  return stripe.tokens.create({ card: { number: body.number, cvc: body.cvc } });
}

async function saveLast4(Card, body) {
  // ok: vibeward.javascript.no_sensitive_auth_data_storage.sad-persisted
  await Card.create({ last4: body.number.slice(-4), brand: body.brand });
}

async function sqlInsert(db, c) {
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-sql
  await db.query('INSERT INTO cards (pan, cvv, exp) VALUES ($1, $2, $3)', [c.pan, c.cvv, c.exp]);
}

// ---------------------------------------------------------------- logged

function debugPayment(req, logger) {
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-logged
  console.log('card', req.body.number, req.body.cvv);
  const { cvc } = req.body;
  // ruleid: vibeward.javascript.no_sensitive_auth_data_storage.sad-logged
  logger.info(`payment attempt cvc=${cvc}`);
  // ok: vibeward.javascript.no_sensitive_auth_data_storage.sad-logged
  logger.warn('Invalid CVV for order', req.params.orderId);
  // ok: vibeward.javascript.no_sensitive_auth_data_storage.sad-logged
  logger.debug('cvv present', Boolean(req.body.cvv));
}
