// Test target for semgrep-rules/encryption_in_transit/javascript.yml (parsed only, never run).
const fs = require('fs');
const https = require('https');
const tls = require('tls');
const express = require('express');
const session = require('express-session');
const enforce = require('express-sslify');
const { Pool } = require('pg');

const app = express();

// ---------------------------------------------------------------- servers

// ruleid: vibeward.javascript.encryption_in_transit.https-server
https.createServer({ key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') }, app).listen(443);

const server = tls.createServer({
  key: fs.readFileSync('server-key.pem'),
  cert: fs.readFileSync('server-cert.pem'),
  // ruleid: vibeward.javascript.encryption_in_transit.tls-min-version
  minVersion: 'TLSv1.2',
});

// ok: vibeward.javascript.encryption_in_transit.https-server
require('http').createServer(app).listen(80);

// ruleid: vibeward.javascript.encryption_in_transit.https-redirect
app.use(enforce.HTTPS({ trustProtoHeader: true }));

app.use((req, res, next) => {
  if (req.headers['x-forwarded-proto'] !== 'https') {
    // ruleid: vibeward.javascript.encryption_in_transit.https-redirect
    return res.redirect(301, `https://${req.headers.host}${req.url}`);
  }
  next();
});

// ---------------------------------------------------------------- cookies / db

app.use(
  session({
    secret: process.env.SESSION_SECRET,
    // ruleid: vibeward.javascript.encryption_in_transit.secure-cookie
    cookie: { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' },
  }),
);

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  // ruleid: vibeward.javascript.encryption_in_transit.db-tls
  ssl: { ca: fs.readFileSync('rds-ca.pem').toString() },
});

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.encryption_in_transit.tls-verification-disabled
const agent = new https.Agent({ rejectUnauthorized: false });

// ruleid: vibeward.javascript.encryption_in_transit.tls-verification-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const legacy = tls.createServer({
  // ruleid: vibeward.javascript.encryption_in_transit.weak-tls-version
  minVersion: 'TLSv1',
});

// ok: vibeward.javascript.encryption_in_transit.db-tls
// ruleid: vibeward.javascript.encryption_in_transit.tls-verification-disabled
const insecurePool = new Pool({ connectionString: process.env.DATABASE_URL, ssl: { rejectUnauthorized: false } });

// ruleid: vibeward.javascript.encryption_in_transit.session-cookie-not-secure
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { secure: false } }));

// ok: vibeward.javascript.encryption_in_transit.tls-verification-disabled
const strictAgent = new https.Agent({ rejectUnauthorized: true });

// ruleid: vibeward.javascript.encryption_in_transit.hsts
app.use(helmet.hsts({ maxAge: 31536000, includeSubDomains: true }));

// ok: vibeward.javascript.encryption_in_transit.hsts
app.use(helmet.noSniff());
