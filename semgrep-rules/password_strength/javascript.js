const zxcvbn = require("zxcvbn");
const validator = require("validator");
const Joi = require("joi");
const PasswordValidator = require("password-validator");
const owaspPasswordStrengthTest = require("owasp-password-strength-test");

function checkStrength(password) {
  // ruleid: vibeward.javascript.password_strength.strength-library
  const result = zxcvbn(password);
  if (result.score < 3) throw new Error("weak password");
  // ruleid: vibeward.javascript.password_strength.strength-library
  const r = owaspPasswordStrengthTest.test(password);
  return r.strong;
}

function strongEnough(body) {
  // ruleid: vibeward.javascript.password_strength.is-strong-password-min-length
  return validator.isStrongPassword(body.password, { minLength: 12, minSymbols: 0 });
}

function isEmail(body) {
  // ok: vibeward.javascript.password_strength.is-strong-password-min-length
  return validator.isLength(body.name, { min: 12 });
}

// ruleid: vibeward.javascript.password_strength.strength-library
const schema = new PasswordValidator();
// ruleid: vibeward.javascript.password_strength.password-validator-min
schema.is().min(12).is().max(128).has().digits();

const registerSchema = Joi.object({
  // ok: vibeward.javascript.password_strength.schema-min-length
  username: Joi.string().min(3).required(),
  // ruleid: vibeward.javascript.password_strength.schema-min-length
  password: Joi.string().min(12).max(128).required(),
});

function validate(req) {
  const { newPassword, name } = req.body;
  // ruleid: vibeward.javascript.password_strength.length-check
  if (newPassword.length < 12) {
    throw new Error("too short");
  }
  // ok: vibeward.javascript.password_strength.length-check
  if (name.length < 3) {
    throw new Error("too short");
  }
}
