// Test target for semgrep-rules/rate_limiting/javascript.yml (parsed only, never run).
const express = require('express');
const rateLimit = require('express-rate-limit');
const slowDown = require('express-slow-down');
const { RateLimiterRedis, RateLimiterMemory } = require('rate-limiter-flexible');

const app = express();
const router = express.Router();

// ---------------------------------------------------------------- login limiters

// ruleid: vibeward.javascript.rate_limiting.login-rate-limit
const loginLimiter = rateLimit({
  windowMs: 15 * 60 * 1000,
  max: 5,
  standardHeaders: true,
});
router.post('/login', loginLimiter, (req, res) => res.send('ok'));

// ruleid: vibeward.javascript.rate_limiting.login-rate-limit
exports.authLimiter = rateLimit({ windowMs: 60 * 1000, limit: 10 });

// ruleid: vibeward.javascript.rate_limiting.login-rate-limit
const strictLimiter = rateLimit({
  windowMs: 15 * 60 * 1000,
  max: 3,
  message: 'Too many login attempts, please try again after 15 minutes',
});

// ruleid: vibeward.javascript.rate_limiting.login-rate-limit
router.post('/auth/signin', rateLimit({ windowMs: 900000, max: 6 }), (req, res) => res.end());

const maxConsecutiveFails = 10;
// ruleid: vibeward.javascript.rate_limiting.login-block-duration, vibeward.javascript.rate_limiting.login-rate-limit
const limiterConsecutiveFailsByUsername = new RateLimiterRedis({
  storeClient: redisClient,
  keyPrefix: 'login_fail_consecutive_username',
  points: maxConsecutiveFails,
  duration: 60 * 60 * 3,
  blockDuration: 900,
});

// ---------------------------------------------------------------- general limiters

// ok: vibeward.javascript.rate_limiting.login-rate-limit
// ruleid: vibeward.javascript.rate_limiting.rate-limiter
const apiLimiter = rateLimit({ windowMs: 15 * 60 * 1000, max: 100 });
app.use('/api/', apiLimiter);

// ruleid: vibeward.javascript.rate_limiting.rate-limiter
app.use(slowDown({ windowMs: 15 * 60 * 1000, delayAfter: 100, delayMs: () => 500 }));

// ok: vibeward.javascript.rate_limiting.login-block-duration
// ruleid: vibeward.javascript.rate_limiting.rate-limiter
const opts = new RateLimiterMemory({ points: 6, duration: 1 });

// ruleid: vibeward.javascript.rate_limiting.rate-limiter
fastify.register(require('@fastify/rate-limit'), { max: 100, timeWindow: '1 minute' });

// ok: vibeward.javascript.rate_limiting.rate-limiter
const limiterForConfig = { windowMs: 1000, max: 5 };

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.rate_limiting.rate-limit-disabled, vibeward.javascript.rate_limiting.rate-limiter
const devLimiter = rateLimit({ windowMs: 60000, max: 100, skip: () => true });

// ok: vibeward.javascript.rate_limiting.rate-limit-disabled
// ruleid: vibeward.javascript.rate_limiting.rate-limiter
const healthAware = rateLimit({ windowMs: 60000, max: 100, skip: (req) => req.path === '/health' });

// ok: vibeward.javascript.rate_limiting.login-block-duration
// ruleid: vibeward.javascript.rate_limiting.rate-limiter
const apiBlock = new RateLimiterMemory({ keyPrefix: 'api', points: 100, duration: 60, blockDuration: 60 });
