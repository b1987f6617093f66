// Test target for semgrep-rules/session_timeout/javascript.yml (parsed only, never run).
const express = require('express');
const session = require('express-session');
const cookieSession = require('cookie-session');
const jwt = require('jsonwebtoken');
const NextAuth = require('next-auth');

const app = express();

// ---------------------------------------------------------------- express-session (ms)

app.use(
  session({
    secret: process.env.SESSION_SECRET,
    rolling: true,
    // ruleid: vibeward.javascript.session_timeout.session-lifetime-minutes
    cookie: { httpOnly: true, secure: true, maxAge: 15 * 60 * 1000 },
  }),
);

// ruleid: vibeward.javascript.session_timeout.session-lifetime-seconds
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { maxAge: 900000 } }));

// ruleid: vibeward.javascript.session_timeout.session-lifetime-hours
app.use(cookieSession({ name: 'session', keys: [process.env.KEY], maxAge: 24 * 60 * 60 * 1000 }));

// ruleid: vibeward.javascript.session_timeout.session-lifetime-days
app.use(cookieSession({ name: 'session', keys: [process.env.KEY], maxAge: 7 * 24 * 60 * 60 * 1000 }));

// ruleid: vibeward.javascript.session_timeout.session-lifetime
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { maxAge: config.sessionMaxAge } }));

function setToken(res, token) {
  // ruleid: vibeward.javascript.session_timeout.session-lifetime-hours
  res.cookie('access_token', token, { httpOnly: true, maxAge: 1000 * 60 * 60 * 2 });
  // ok: vibeward.javascript.session_timeout.session-lifetime-days
  res.cookie('theme', 'dark', { maxAge: 365 * 24 * 60 * 60 * 1000 });
}

// ---------------------------------------------------------------- JWT

function issue(user) {
  // ruleid: vibeward.javascript.session_timeout.session-lifetime-minutes
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });
}

function issueSeconds(user) {
  // ruleid: vibeward.javascript.session_timeout.session-lifetime-seconds
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: 3600 });
}

function issueHours(user) {
  // ruleid: vibeward.javascript.session_timeout.session-lifetime-hours
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
}

function issueFromEnv(user) {
  // ruleid: vibeward.javascript.session_timeout.session-lifetime
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: process.env.JWT_EXPIRES_IN });
}

function issueRefresh(user) {
  // ok: vibeward.javascript.session_timeout.session-lifetime-days
  return jwt.sign({ sub: user.id }, process.env.REFRESH_TOKEN_SECRET, { expiresIn: '7d' });
}

function generateRefreshToken(user) {
  // ok: vibeward.javascript.session_timeout.session-lifetime-days
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '30d' });
}

// ---------------------------------------------------------------- NextAuth / iron-session

const authOptions = {
  providers: [],
  session: {
    strategy: 'jwt',
    // ruleid: vibeward.javascript.session_timeout.session-lifetime-minutes
    maxAge: 30 * 60,
  },
};

const ironOptions = {
  cookieName: 'app_session',
  password: process.env.SESSION_PASSWORD,
  // ruleid: vibeward.javascript.session_timeout.session-lifetime-hours
  ttl: 60 * 60 * 8,
};

// ---------------------------------------------------------------- violations

function forever(user) {
  // ruleid: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET);
}

function foreverWithOptions(user) {
  // ruleid: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { algorithm: 'HS256' });
}

function withExp(user) {
  // ok: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) + 900 }, process.env.JWT_SECRET);
}

// ruleid: vibeward.javascript.session_timeout.session-cookie-never-expires
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { maxAge: Infinity } }));

const generateToken = (userId, expires, secret = config.jwt.secret) => {
  const payload = { sub: userId, iat: moment().unix(), exp: expires.unix() };
  // ok: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign(payload, secret);
};

function claimsWithoutExp(user) {
  const claims = { sub: user.id, role: user.role };
  // ruleid: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign(claims, process.env.JWT_SECRET);
}

function unknownPayload(payload) {
  // ok: vibeward.javascript.session_timeout.jwt-without-expiry
  return jwt.sign(payload, process.env.JWT_SECRET);
}
