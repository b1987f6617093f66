// Test target for semgrep-rules/security_headers/javascript.yml (parsed only, never run).
const express = require('express');
const helmet = require('helmet');

const app = express();

// ruleid: vibeward.javascript.security_headers.helmet
app.use(helmet());

app.use(
  // ruleid: vibeward.javascript.security_headers.helmet
  helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } },
    // ruleid: vibeward.javascript.security_headers.hsts-max-age-seconds
    hsts: { maxAge: 63072000, includeSubDomains: true, preload: true },
  }),
);

// ruleid: vibeward.javascript.security_headers.hsts-max-age-days
app.use(helmet.hsts({ maxAge: 180 * 24 * 60 * 60, includeSubDomains: true }));

// ok: vibeward.javascript.security_headers.hsts-max-age-seconds
app.use(helmet.hsts({ maxAge: config.hstsMaxAge }));

// ruleid: vibeward.javascript.security_headers.powered-by-hidden
app.disable('x-powered-by');

function setHeaders(req, res, next) {
  // ruleid: vibeward.javascript.security_headers.security-header-set
  res.setHeader('Content-Security-Policy', "default-src 'self'");
  // ok: vibeward.javascript.security_headers.hsts-max-age-zero
  // ruleid: vibeward.javascript.security_headers.hsts-max-age-seconds
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  // ok: vibeward.javascript.security_headers.security-header-set
  res.setHeader('Cache-Control', 'no-store');
  next();
}

// next.config.js
module.exports = {
  async headers() {
    return [
      {
        source: '/(.*)',
        headers: [
          // ruleid: vibeward.javascript.security_headers.security-header-set
          { key: 'X-Frame-Options', value: 'DENY' },
          // ruleid: vibeward.javascript.security_headers.hsts-max-age-seconds
          { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains; preload' },
        ],
      },
    ];
  },
};

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.security_headers.helmet-header-disabled
app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));

// ok: vibeward.javascript.security_headers.helmet-header-disabled
// ruleid: vibeward.javascript.security_headers.helmet
app.use(helmet({ crossOriginEmbedderPolicy: false }));

// ruleid: vibeward.javascript.security_headers.hsts-max-age-zero
app.use((req, res, next) => { res.setHeader('Strict-Transport-Security', 'max-age=0; includeSubDomains'); next(); });
