// Test target for semgrep-rules/password_hashing/javascript.yml (parsed only, never run).
const crypto = require('crypto');
const util = require('util');
const bcrypt = require('bcrypt');
const bcryptjs = require('bcryptjs');
const argon2 = require('argon2');
const md5 = require('md5');
const CryptoJS = require('crypto-js');
const passportLocalMongoose = require('passport-local-mongoose');

// ---------------------------------------------------------------- bcrypt

const SALT_ROUNDS = 12;

async function registerLiteral(req) {
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  const hashed = await bcrypt.hash(req.body.password, 12);
  return hashed;
}

async function registerConstant(password) {
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  return bcrypt.hash(password, SALT_ROUNDS);
}

function hashSyncJs(password) {
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  return bcryptjs.hashSync(password, 11);
}

// mongoose pre('save') hook, callback style
function preSave(next) {
  const user = this;
  if (!user.isModified('password')) return next();
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  bcrypt.genSalt(10, (err, salt) => {
    if (err) return next(err);
    // ok: vibeward.javascript.password_hashing.bcrypt-hash
    bcrypt.hash(user.password, salt, (err2, hash) => {
      user.password = hash;
      next();
    });
  });
}

async function preSaveAsync() {
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  const salt = await bcrypt.genSalt(13);
  // ok: vibeward.javascript.password_hashing.bcrypt-hash
  this.password = await bcrypt.hash(this.password, salt);
}

async function defaultSalt(password) {
  // ruleid: vibeward.javascript.password_hashing.bcrypt-hash
  const salt = await bcrypt.genSalt();
  // ok: vibeward.javascript.password_hashing.bcrypt-cost
  return bcrypt.hash(password, salt);
}

const envRounds = Number(process.env.BCRYPT_ROUNDS);

async function configuredCost(password, config) {
  // ok: vibeward.javascript.password_hashing.bcrypt-cost
  // ruleid: vibeward.javascript.password_hashing.bcrypt-hash
  const a = await bcrypt.hash(password, config.bcryptRounds);
  // ruleid: vibeward.javascript.password_hashing.bcrypt-hash
  const b = await bcrypt.hash(password, envRounds);
  return [a, b];
}

async function login(password, user) {
  // ok: vibeward.javascript.password_hashing.bcrypt-hash
  return bcrypt.compare(password, user.password);
}

// ---------------------------------------------------------------- argon2 / scrypt / pbkdf2

async function argonHash(password) {
  // ruleid: vibeward.javascript.password_hashing.argon2
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2 });
}

async function argonVerify(hash, password) {
  // ok: vibeward.javascript.password_hashing.argon2
  return argon2.verify(hash, password);
}

// ruleid: vibeward.javascript.password_hashing.scrypt
const scryptAsync = util.promisify(crypto.scrypt);

function scryptCallback(password, salt, cb) {
  // ruleid: vibeward.javascript.password_hashing.scrypt
  crypto.scrypt(password, salt, 64, cb);
}

function pbkdf2Hash(password, salt) {
  // ruleid: vibeward.javascript.password_hashing.pbkdf2-sha512
  return crypto.pbkdf2Sync(password, salt, 210000, 64, 'sha512').toString('hex');
}

function pbkdf2Hash256(password, salt, cb) {
  // ruleid: vibeward.javascript.password_hashing.pbkdf2-sha256
  crypto.pbkdf2(password, salt, 600000, 32, 'sha256', cb);
}

function pbkdf2Sha1(password, salt) {
  // ok: vibeward.javascript.password_hashing.pbkdf2-sha256
  // ruleid: vibeward.javascript.password_hashing.pbkdf2
  return crypto.pbkdf2Sync(password, salt, 10000, 20, 'sha1');
}

// ruleid: vibeward.javascript.password_hashing.passport-local-mongoose
UserSchema.plugin(passportLocalMongoose, { usernameField: 'email' });

// ---------------------------------------------------------------- weak digests

function sha256Password(password) {
  // ruleid: vibeward.javascript.password_hashing.weak-hash-of-password
  return crypto.createHash('sha256').update(password).digest('hex');
}

function md5Password(user) {
  const h = crypto.createHash('md5');
  // ruleid: vibeward.javascript.password_hashing.weak-hash-of-password
  h.update(user.password + process.env.SALT);
  return h.digest('hex');
}

function md5Package(pwd) {
  // ruleid: vibeward.javascript.password_hashing.weak-hash-of-password
  return md5(pwd);
}

function cryptoJs(password) {
  // ruleid: vibeward.javascript.password_hashing.weak-hash-of-password
  return CryptoJS.SHA1(password).toString();
}

function gravatar(email) {
  // ok: vibeward.javascript.password_hashing.weak-hash-of-password
  const hash = crypto.createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?d=identicon`;
}

function etag(body) {
  // ok: vibeward.javascript.password_hashing.weak-hash-of-password
  return crypto.createHash('sha1').update(body).digest('base64');
}

function resetToken(token) {
  // ok: vibeward.javascript.password_hashing.weak-hash-of-password
  return crypto.createHash('sha256').update(token).digest('hex');
}

function resetPasswordToken(resetPasswordToken) {
  // ok: vibeward.javascript.password_hashing.weak-hash-of-password
  return crypto.createHash('sha256').update(resetPasswordToken).digest('hex');
}

// ---------------------------------------------------------------- plaintext storage

async function signupPrisma(req, res) {
  const { email, password } = req.body;
  // ruleid: vibeward.javascript.password_hashing.plaintext-password-storage
  const user = await prisma.user.create({ data: { email, password } });
  res.json(user);
}

async function signupPrismaHashed(req, res) {
  const { email, password } = req.body;
  // ruleid: vibeward.javascript.password_hashing.bcrypt-cost
  const passwordHash = await bcrypt.hash(password, 12);
  // ok: vibeward.javascript.password_hashing.plaintext-password-storage
  const user = await prisma.user.create({ data: { email, password: passwordHash } });
  res.json(user);
}

async function signupSql(req, res) {
  await pool.query(
    'INSERT INTO users (email, password) VALUES ($1, $2)',
    // ruleid: vibeward.javascript.password_hashing.plaintext-password-storage
    [req.body.email, req.body.password],
  );
}

async function signupKnex(req) {
  // ruleid: vibeward.javascript.password_hashing.plaintext-password-storage
  await knex('users').insert({ email: req.body.email, password: req.body.password });
}

async function signupKnexHashed(req) {
  // ok: vibeward.javascript.password_hashing.plaintext-password-storage
  // ruleid: vibeward.javascript.password_hashing.argon2
  await knex('users').insert({ email: req.body.email, password: await argon2.hash(req.body.password) });
}

async function signupMongoose(req) {
  // ok: vibeward.javascript.password_hashing.plaintext-password-storage
  await User.create({ email: req.body.email, password: req.body.password });
}
