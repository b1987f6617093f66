// Test target for semgrep-rules/mfa/javascript.yml (parsed only, never run).
const speakeasy = require('speakeasy');
const { authenticator } = require('otplib');
const { verifyAuthenticationResponse } = require('@simplewebauthn/server');

function verifyTotp(user, token) {
  // ruleid: vibeward.javascript.mfa.totp-verify
  return speakeasy.totp.verify({ secret: user.totpSecret, encoding: 'base32', token, window: 1 });
}

function verifyOtplib(user, token) {
  // ruleid: vibeward.javascript.mfa.totp-verify
  return authenticator.verify({ token, secret: user.mfaSecret });
}

function generateOnly() {
  // ok: vibeward.javascript.mfa.totp-verify
  return speakeasy.generateSecret({ length: 20 });
}

// ruleid: vibeward.javascript.mfa.totp-step
authenticator.options = { step: 30, window: 1 };

async function passkeyLogin(body, expectedChallenge, credential) {
  // ruleid: vibeward.javascript.mfa.webauthn
  const verification = await verifyAuthenticationResponse({
    response: body,
    expectedChallenge,
    expectedOrigin: 'https://shop.example.com',
    expectedRPID: 'shop.example.com',
    credential,
  });
  return verification.verified;
}

function laxTotp(user, token) {
  // ruleid: vibeward.javascript.mfa.totp-verify
  return speakeasy.totp.verify({
    secret: user.totpSecret,
    encoding: 'base32',
    token,
    // ruleid: vibeward.javascript.mfa.totp-window-too-wide
    window: 10,
  });
}

function normalWindow(user, token) {
  // ruleid: vibeward.javascript.mfa.totp-verify
  return speakeasy.totp.verify({
    secret: user.totpSecret,
    token,
    // ok: vibeward.javascript.mfa.totp-window-too-wide
    window: 1,
  });
}

async function verifyFactor(supabase, factorId, code) {
  // ruleid: vibeward.javascript.mfa.provider-mfa
  return supabase.auth.mfa.challengeAndVerify({ factorId, code });
}

async function listFactors(supabase) {
  // ok: vibeward.javascript.mfa.provider-mfa
  return supabase.auth.getUser();
}
