// Test target for semgrep-rules/secrets_management/javascript.yml (parsed only, never run).
const express = require('express');
const session = require('express-session');
const jwt = require('jsonwebtoken');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

const app = express();

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.javascript.secrets_management.secret-from-env
const jwtSecret = process.env.JWT_SECRET;

function dbConfig() {
  return {
    host: process.env.DB_HOST,
    // ruleid: vibeward.javascript.secrets_management.secret-from-env
    password: process.env.DB_PASSWORD,
  };
}

// ok: vibeward.javascript.secrets_management.secret-from-env
const publishable = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY;

// ok: vibeward.javascript.secrets_management.secret-from-env
const port = process.env.PORT;

async function loadSecrets() {
  const client = new SecretsManagerClient({ region: process.env.AWS_REGION });
  // ruleid: vibeward.javascript.secrets_management.secrets-manager-client
  const res = await client.send(new GetSecretValueCommand({ SecretId: 'prod/app' }));
  return JSON.parse(res.SecretString);
}

// ruleid: vibeward.javascript.secrets_management.secrets-manager-client, vibeward.javascript.secrets_management.secret-from-env
const vault = require('node-vault')({ endpoint: process.env.VAULT_ADDR, token: process.env.VAULT_TOKEN });

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.secrets_management.hardcoded-secret
const JWT_SECRET = 'my-super-secret-jwt-key';

app.use(
  session({
    // ruleid: vibeward.javascript.secrets_management.hardcoded-secret
    secret: 'keyboard cat',
    resave: false,
  }),
);

const stripeConfig = {
  // ruleid: vibeward.javascript.secrets_management.hardcoded-secret, vibeward.javascript.secrets_management.hardcoded-credential-literal
  apiKey: 'sk_live_51HcQ2kLkdIwHu7ixY9T0aBcDeF',
};

// ruleid: vibeward.javascript.secrets_management.hardcoded-credential-literal
const mongoUri = 'mongodb+srv://admin:S3cretPass@cluster0.example.mongodb.net/shop';

const db = {
  user: 'app',
  // ruleid: vibeward.javascript.secrets_management.hardcoded-secret
  password: 'Pa55w0rd!2024',
};

// ruleid: vibeward.javascript.secrets_management.secret-env-literal-default
const sessionSecret = process.env.SESSION_SECRET || 'dev-secret';

// ruleid: vibeward.javascript.secrets_management.secret-env-literal-default
const apiToken = process.env.API_TOKEN ?? 'local-token-123';

// ---------------------------------------------------------------- near misses

// ok: vibeward.javascript.secrets_management.hardcoded-secret
const emptySecret = '';

const labels = {
  // ok: vibeward.javascript.secrets_management.hardcoded-secret
  password: 'Mot de passe',
  // ok: vibeward.javascript.secrets_management.hardcoded-secret
  confirmPassword: 'Confirm your password',
};

const fields = {
  // ok: vibeward.javascript.secrets_management.hardcoded-secret
  password: 'password',
  // ok: vibeward.javascript.secrets_management.hardcoded-secret
  tokenHeader: 'x-auth-token',
  // ok: vibeward.javascript.secrets_management.hardcoded-secret
  accessToken: 'accessToken',
};

// ok: vibeward.javascript.secrets_management.hardcoded-secret
const PASSWORD_FIELD = 'password_hash';

// ok: vibeward.javascript.secrets_management.hardcoded-secret
const TOKEN_KEY = 'AUTH_TOKEN';

// ok: vibeward.javascript.secrets_management.secret-env-literal-default
const region = process.env.AWS_REGION || 'us-east-1';

// ok: vibeward.javascript.secrets_management.secret-env-literal-default
// ruleid: vibeward.javascript.secrets_management.secret-from-env
const empty = process.env.JWT_SECRET || '';

// ok: vibeward.javascript.secrets_management.hardcoded-credential-literal
const localDb = 'postgres://localhost:5432/app';

// ruleid: vibeward.javascript.secrets_management.secret-from-env
const stripeKey = process.env.STRIPE_SECRET_KEY || '';

// ok: vibeward.javascript.secrets_management.secret-env-literal-default
const cookieName = process.env.SECRET_COOKIE_NAME ?? 'app_session';
