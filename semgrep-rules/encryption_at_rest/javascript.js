// Test target for semgrep-rules/encryption_at_rest/javascript.yml (parsed only, never run).
const crypto = require('crypto');
const mongoose = require('mongoose');
const encrypt = require('mongoose-encryption');
const { KMSClient, EncryptCommand } = require('@aws-sdk/client-kms');
const CryptoJS = require('crypto-js');

const ALGORITHM = 'aes-256-gcm';

// ---------------------------------------------------------------- Node crypto

function encryptField(plaintext, key) {
  const iv = crypto.randomBytes(12);
  // ruleid: vibeward.javascript.encryption_at_rest.aes-cipheriv
  const cipher = crypto.createCipheriv(ALGORITHM, key, iv);
  const enc = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64');
}

function encryptCbc(text, key) {
  const iv = crypto.randomBytes(16);
  // ruleid: vibeward.javascript.encryption_at_rest.aes-cipheriv
  const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function encryptConfigured(text, key, config) {
  const iv = crypto.randomBytes(16);
  // ruleid: vibeward.javascript.encryption_at_rest.cipheriv
  const cipher = crypto.createCipheriv(config.algorithm, key, iv);
  return cipher.update(text);
}

function encryptChacha(text, key) {
  const nonce = crypto.randomBytes(12);
  // ruleid: vibeward.javascript.encryption_at_rest.chacha20-cipheriv
  return crypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
}

function decryptField(data, key, iv) {
  // ok: vibeward.javascript.encryption_at_rest.aes-cipheriv
  return crypto.createDecipheriv('aes-256-gcm', key, iv);
}

// ---------------------------------------------------------------- WebCrypto

async function makeKey() {
  // ruleid: vibeward.javascript.encryption_at_rest.webcrypto-aes-key
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

async function webEncrypt(key, iv, data) {
  // ruleid: vibeward.javascript.encryption_at_rest.webcrypto-encrypt
  return crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data);
}

async function hmacKey() {
  // ok: vibeward.javascript.encryption_at_rest.webcrypto-aes-key
  return crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
}

// ---------------------------------------------------------------- libraries / KMS

const userSchema = new mongoose.Schema({ name: String, ssn: String });
// ruleid: vibeward.javascript.encryption_at_rest.field-encryption-library
userSchema.plugin(encrypt, { secret: process.env.ENC_SECRET, encryptedFields: ['ssn'] });

// ok: vibeward.javascript.encryption_at_rest.field-encryption-library
userSchema.plugin(require('mongoose-paginate-v2'));

async function kmsEncrypt(kms, plaintext) {
  // ruleid: vibeward.javascript.encryption_at_rest.kms-encrypt
  const command = new EncryptCommand({ KeyId: process.env.KMS_KEY_ID, Plaintext: Buffer.from(plaintext) });
  return kms.send(command);
}

// ---------------------------------------------------------------- violations

function legacy(text, password) {
  // ruleid: vibeward.javascript.encryption_at_rest.create-cipher-without-iv
  const cipher = crypto.createCipher('aes192', password);
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function ecb(text, key) {
  // ruleid: vibeward.javascript.encryption_at_rest.weak-cipher
  const cipher = crypto.createCipheriv('aes-256-ecb', key, null);
  return cipher.update(text);
}

function des(text, key, iv) {
  // ruleid: vibeward.javascript.encryption_at_rest.weak-cipher
  return crypto.createCipheriv('des-ede3-cbc', key, iv);
}

function cryptoJsDes(text, key) {
  // ruleid: vibeward.javascript.encryption_at_rest.weak-cipher-cryptojs
  return CryptoJS.TripleDES.encrypt(text, key).toString();
}

function cryptoJsAes(text, key) {
  // ok: vibeward.javascript.encryption_at_rest.weak-cipher-cryptojs
  return CryptoJS.AES.encrypt(text, key).toString();
}

function zeroIv(text, key) {
  // ruleid: vibeward.javascript.encryption_at_rest.static-iv, vibeward.javascript.encryption_at_rest.aes-cipheriv
  return crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16, 0));
}

function randomIv(text, key) {
  // ok: vibeward.javascript.encryption_at_rest.static-iv
  // ruleid: vibeward.javascript.encryption_at_rest.aes-cipheriv
  return crypto.createCipheriv('aes-256-cbc', key, crypto.randomBytes(16));
}

function ivFromHex(text, key, ivHex) {
  // ok: vibeward.javascript.encryption_at_rest.static-iv
  // ruleid: vibeward.javascript.encryption_at_rest.aes-cipheriv
  return crypto.createCipheriv('aes-256-gcm', key, Buffer.from(ivHex, 'hex'));
}

function literalIv(text, key) {
  // ruleid: vibeward.javascript.encryption_at_rest.static-iv, vibeward.javascript.encryption_at_rest.aes-cipheriv
  return crypto.createCipheriv('aes-128-cbc', key, Buffer.from('0123456789abcdef'));
}
