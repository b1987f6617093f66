// Test target for semgrep-rules/input_validation/javascript.yml (parsed only, never run).
const { z } = require('zod');
const Joi = require('joi');
const { body, param, validationResult } = require('express-validator');

const createUserSchema = z.object({ email: z.string().email(), password: z.string().min(12) });

async function createUser(req, res) {
  // ruleid: vibeward.javascript.input_validation.schema-validation
  const parsed = createUserSchema.safeParse(req.body);
  if (!parsed.success) return res.status(400).json(parsed.error.flatten());
  res.json(parsed.data);
}

const orderValidator = Joi.object({ qty: Joi.number().integer().min(1).required() });

function createOrder(req, res) {
  // ruleid: vibeward.javascript.input_validation.schema-validation
  const { error, value } = orderValidator.validate(req.body);
  if (error) return res.status(400).send(error.message);
  res.json(value);
}

function inlineZod(input) {
  // ruleid: vibeward.javascript.input_validation.schema-validation
  return z.object({ id: z.string().uuid() }).parse(input);
}

function notValidation(text, when) {
  // ok: vibeward.javascript.input_validation.schema-validation
  const data = JSON.parse(text);
  // ok: vibeward.javascript.input_validation.schema-validation
  const ts = Date.parse(when);
  return [data, ts];
}

router.post(
  '/signup',
  // ruleid: vibeward.javascript.input_validation.express-validator-chain
  body('email').isEmail().normalizeEmail(),
  // ruleid: vibeward.javascript.input_validation.express-validator-chain
  body('password').isLength({ min: 12 }),
  (req, res) => {
    // ruleid: vibeward.javascript.input_validation.validation-middleware
    const errors = validationResult(req);
    if (!errors.isEmpty()) return res.status(400).json({ errors: errors.array() });
    res.send('ok');
  },
);

// ok: vibeward.javascript.input_validation.express-validator-chain
const payload = body.trim();

// ruleid: vibeward.javascript.input_validation.json-schema
fastify.post('/items', { schema: { body: { type: 'object', required: ['name'] } } }, async (req) => req.body);
