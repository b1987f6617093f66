// Test target for semgrep-rules/access_control/javascript.yml (parsed only, never run).
const express = require('express');
const passport = require('passport');
const { requireRole, isAuthenticated, authorize } = require('./middleware/auth');

const router = express.Router();
const adminRouter = express.Router();

// ---------------------------------------------------------------- passport

// ruleid: vibeward.javascript.access_control.passport-authenticate
router.get('/orders', passport.authenticate('jwt', { session: false }), listOrders);

// ok: vibeward.javascript.access_control.passport-authenticate
router.post('/login', passport.authenticate('local', { failureRedirect: '/login' }), onLogin);

// ruleid: vibeward.javascript.access_control.passport-authenticate
const requireJwt = passport.authenticate('jwt', { session: false });

// ---------------------------------------------------------------- middleware

// ruleid: vibeward.javascript.access_control.auth-middleware
adminRouter.use(isAuthenticated);

// ruleid: vibeward.javascript.access_control.role-middleware
adminRouter.use(requireRole('admin'));

// ruleid: vibeward.javascript.access_control.role-middleware
router.delete('/orders/:id', requireJwt, authorize('orders:delete'), deleteOrder);

// ok: vibeward.javascript.access_control.role-middleware
router.get('/health', (req, res) => res.send('ok'));

// ok: vibeward.javascript.access_control.auth-middleware
router.use(express.json());

// ---------------------------------------------------------------- inline checks

function deleteOrder(req, res) {
  if (req.user.role !== 'admin' && req.order.userId !== req.user.id) {
    // ruleid: vibeward.javascript.access_control.inline-authorization-check
    return res.status(403).json({ message: 'Forbidden' });
  }
  res.status(204).end();
}

function validate(req, res) {
  if (!req.body.email) {
    // ok: vibeward.javascript.access_control.inline-authorization-check
    return res.status(403).json({ message: 'email required' });
  }
}

// ---------------------------------------------------------------- policies

function updateArticle(ability, article) {
  // ruleid: vibeward.javascript.access_control.policy-engine
  if (!ability.can('update', article)) throw new Error('nope');
}

// middleware.js (Next.js)
// ruleid: vibeward.javascript.access_control.next-route-protection
export default withAuth({ pages: { signIn: '/login' } });

// ---------------------------------------------------------------- real-world shapes (hackathon-starter)

// ruleid: vibeward.javascript.access_control.auth-middleware
app.get('/account', passportConfig.isAuthenticated, userController.getAccount);

// ruleid: vibeward.javascript.access_control.auth-middleware, vibeward.javascript.access_control.role-middleware
app.get('/api/steam', passportConfig.isAuthenticated, passportConfig.isAuthorized, apiController.getSteam);

// ok: vibeward.javascript.access_control.passport-authenticate
app.get('/auth/github/callback', passport.authenticate('github', { failureRedirect: '/login' }), onLogin);
