// Test target for semgrep-rules/audit_logging/javascript.yml (parsed only, never run).
const winston = require('winston');
const pino = require('pino');

// ---------------------------------------------------------------- audit loggers

// ruleid: vibeward.javascript.audit_logging.audit-logger
const auditLogger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  transports: [new winston.transports.File({ filename: 'logs/audit.log' })],
});

const logger = winston.createLogger({
  level: 'info',
  transports: [
    new winston.transports.Console(),
    // ruleid: vibeward.javascript.audit_logging.audit-logger
    new winston.transports.File({ filename: 'logs/audit.log' }),
  ],
});

// ok: vibeward.javascript.audit_logging.audit-logger
const appLogger = winston.createLogger({ transports: [new winston.transports.File({ filename: 'logs/app.log' })] });

// ruleid: vibeward.javascript.audit_logging.audit-logger
const secLog = logger.child({ audit: true });

// ruleid: vibeward.javascript.audit_logging.audit-logger
const trail = pino({ name: 'audit-trail', level: 'info' });

// ---------------------------------------------------------------- audit calls

function onLogin(user, req) {
  // ruleid: vibeward.javascript.audit_logging.audit-logger-call
  auditLogger.info('user.login', { userId: user.id, ip: req.ip });
}

class UsersService {
  async changeRole(actor, user, role) {
    // ruleid: vibeward.javascript.audit_logging.audit-logger-call
    await this.auditService.log({ action: 'ROLE_CHANGE', actorId: actor.id, targetId: user.id, role });
  }
}

async function recordDeletion(prisma, actor, id) {
  // ruleid: vibeward.javascript.audit_logging.audit-record-call
  await prisma.auditLog.create({ data: { actorId: actor.id, action: 'DELETE', entityId: id } });
}

async function recordLogin(AuditLog, user) {
  // ruleid: vibeward.javascript.audit_logging.audit-record-call
  await AuditLog.create({ userId: user.id, action: 'LOGIN' });
}

function helper(user) {
  // ruleid: vibeward.javascript.audit_logging.audit-record-call
  logAuditEvent('password_reset', user.id);
}

// ---------------------------------------------------------------- security event messages

async function login(req, res) {
  const user = await findUser(req.body.email);
  if (!user) {
    // ruleid: vibeward.javascript.audit_logging.security-event-log-message
    logger.warn(`Failed login attempt for ${req.body.email} from ${req.ip}`);
    return res.status(401).end();
  }
  // ruleid: vibeward.javascript.audit_logging.security-event-log-message
  req.log.info({ userId: user.id }, 'User logged in');
  // ok: vibeward.javascript.audit_logging.security-event-log-message
  console.log('User logged in');
  // ok: vibeward.javascript.audit_logging.security-event-log-message
  logger.info('Server started on port 3000');
  res.json({ ok: true });
}

function denied(req) {
  // ruleid: vibeward.javascript.audit_logging.security-event-log-message
  this.logger.warn('Access denied', { path: req.path, user: req.user && req.user.id });
}

// ok: vibeward.javascript.audit_logging.audit-record-call
console.log('x');
