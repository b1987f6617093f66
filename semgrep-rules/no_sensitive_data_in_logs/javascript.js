// Test target for semgrep-rules/no_sensitive_data_in_logs/javascript.yml (parsed only, never run).
const logger = require('./logger');

async function login(req, res) {
  const { email, password } = req.body;
  // ruleid: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  console.log('login attempt', email, password);
  // ruleid: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.debug('incoming body', req.body);
  // ok: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info('login attempt', { email: req.body.email });
  // ok: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info('password length', password.length);
  const user = await findUser(email);
  // ruleid: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info(`issued token ${user.accessToken}`);
  res.json({ ok: true });
}

function pay(req) {
  const card = req.body.cardNumber;
  // ruleid: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info('charging card', req.body.cardNumber);
  // ok: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info('charging card', maskPan(card));
  // ok: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  logger.info('Invalid password for user', req.params.id);
}

function auth(req) {
  // ruleid: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  console.log('auth header', req.headers.authorization);
  // ok: vibeward.javascript.no_sensitive_data_in_logs.sensitive-value-logged
  console.log('client', req.headers['user-agent']);
}
