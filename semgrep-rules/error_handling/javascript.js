// Test target for semgrep-rules/error_handling/javascript.yml (parsed only, never run).
const express = require('express');
const Sentry = require('@sentry/node');

const app = express();

// ruleid: vibeward.javascript.error_handling.sentry
Sentry.init({ dsn: process.env.SENTRY_DSN });

// ruleid: vibeward.javascript.error_handling.process-error-handlers
process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', reason));

// ok: vibeward.javascript.error_handling.process-error-handlers
process.on('SIGTERM', () => server.close());

// ruleid: vibeward.javascript.error_handling.express-error-middleware
app.use((err, req, res, next) => {
  logger.error(err);
  // ok: vibeward.javascript.error_handling.stack-trace-to-client
  res.status(500).json({ message: 'Internal server error', requestId: req.id });
});

// ok: vibeward.javascript.error_handling.express-error-middleware
app.use((req, res, next) => next());

async function getOrder(req, res) {
  try {
    res.json(await loadOrder(req.params.id));
  } catch (err) {
    // ruleid: vibeward.javascript.error_handling.stack-trace-to-client
    res.status(500).json({ message: err.message, stack: err.stack });
  }
}

async function listOrders(req, res) {
  try {
    res.json(await loadOrders());
  } catch (error) {
    // ruleid: vibeward.javascript.error_handling.stack-trace-to-client
    res.status(500).send(error);
  }
}

function devOnly(err, req, res, next) {
  if (process.env.NODE_ENV !== 'production') {
    // ok: vibeward.javascript.error_handling.stack-trace-to-client
    return res.status(500).json({ stack: err.stack });
  }
  res.status(500).json({ message: 'error' });
}

function okResponse(req, res, data) {
  // ok: vibeward.javascript.error_handling.stack-trace-to-client
  res.json(data);
}
