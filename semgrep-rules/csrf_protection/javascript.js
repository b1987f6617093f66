// Test target for semgrep-rules/csrf_protection/javascript.yml (parsed only, never run).
const express = require('express');
const session = require('express-session');
const cookieSession = require('cookie-session');
const csrf = require('csurf');
const lusca = require('lusca');
const { doubleCsrf } = require('csrf-csrf');

const app = express();

// ---------------------------------------------------------------- token middleware

// ruleid: vibeward.javascript.csrf_protection.csurf
const csrfProtection = csrf({ cookie: true });
app.post('/transfer', csrfProtection, (req, res) => res.send('ok'));

app.get('/form', csrfProtection, (req, res) => {
  // ok: vibeward.javascript.csrf_protection.csurf
  res.render('send', { csrfToken: req.csrfToken() });
});

const {
  generateToken,
  doubleCsrfProtection,
  // ruleid: vibeward.javascript.csrf_protection.csrf-csrf
} = doubleCsrf({
  getSecret: () => process.env.CSRF_SECRET,
  cookieName: '__Host-psifi.x-csrf-token',
  ignoredMethods: ['GET', 'HEAD', 'OPTIONS'],
});
app.use(doubleCsrfProtection);

// ruleid: vibeward.javascript.csrf_protection.lusca-csrf
app.use(lusca.csrf());

// ruleid: vibeward.javascript.csrf_protection.lusca-csrf
app.use(lusca({ csrf: true, xframe: 'SAMEORIGIN' }));

// ok: vibeward.javascript.csrf_protection.lusca-csrf
// ruleid: vibeward.javascript.csrf_protection.lusca-csrf-disabled
app.use(lusca({ csrf: false, xframe: 'SAMEORIGIN' }));

// ruleid: vibeward.javascript.csrf_protection.fastify-csrf
fastify.register(require('@fastify/csrf-protection'), { sessionPlugin: '@fastify/session' });

// ok: vibeward.javascript.csrf_protection.fastify-csrf
fastify.register(require('@fastify/cookie'));

// ruleid: vibeward.javascript.csrf_protection.other-csrf-middleware
const csrfProtect = createCsrfProtect({ cookie: { secure: process.env.NODE_ENV === 'production' } });

// ---------------------------------------------------------------- SameSite cookies

app.use(
  // ruleid: vibeward.javascript.csrf_protection.samesite-session-cookie
  session({
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 15 * 60 * 1000 },
  }),
);

// ruleid: vibeward.javascript.csrf_protection.samesite-session-cookie
app.use(cookieSession({ name: 'session', keys: [process.env.COOKIE_KEY], sameSite: 'lax' }));

function setAuthCookie(res, token) {
  // ruleid: vibeward.javascript.csrf_protection.samesite-session-cookie
  res.cookie('token', token, { httpOnly: true, secure: true, sameSite: 'lax' });
}

function setCrossSiteCookie(res, token) {
  // ok: vibeward.javascript.csrf_protection.samesite-session-cookie
  res.cookie('token', token, { httpOnly: true, secure: true, sameSite: 'none' });
}

// next.config.js
module.exports = {
  experimental: {
    // ruleid: vibeward.javascript.csrf_protection.next-server-actions-origins
    serverActions: { allowedOrigins: ['my-proxy.com', '*.my-proxy.com'] },
  },
};

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.csrf_protection.csrf-ignores-unsafe-method, vibeward.javascript.csrf_protection.csurf
const looseCsrf = csrf({ cookie: true, ignoreMethods: ['GET', 'HEAD', 'OPTIONS', 'POST'] });

// ok: vibeward.javascript.csrf_protection.csrf-ignores-unsafe-method
// ruleid: vibeward.javascript.csrf_protection.csurf
const strictCsrf = csrf({ cookie: true, ignoreMethods: ['GET', 'HEAD', 'OPTIONS'] });

// ruleid: vibeward.javascript.csrf_protection.lusca-csrf-disabled
app.use(lusca({ csrf: false }));
