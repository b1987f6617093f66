package config

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/gin-gonic/gin"
	echojwt "github.com/labstack/echo-jwt/v4"
	vault "github.com/hashicorp/vault/api"
	"github.com/spf13/viper"
)

// ---------------------------------------------------------------- evidence

func Load() *Config {
	return &Config{
		// ruleid: vibeward.go.secrets_management.secret-from-env
		JWTSecret: []byte(os.Getenv("JWT_SECRET")),
		// ruleid: vibeward.go.secrets_management.secret-from-env
		DatabaseURL: os.Getenv("DATABASE_URL"),
		// ok: vibeward.go.secrets_management.secret-from-env
		Port: os.Getenv("PORT"),
		// ruleid: vibeward.go.secrets_management.secret-from-env
		DBPass: viper.GetString(`database.pass`),
	}
}

func fromVault(ctx context.Context) (map[string]interface{}, error) {
	// ruleid: vibeward.go.secrets_management.secret-manager
	client, err := vault.NewClient(vault.DefaultConfig())
	if err != nil {
		return nil, err
	}
	// ruleid: vibeward.go.secrets_management.secret-manager
	s, err := client.KVv2("secret").Get(ctx, "app/db")
	if err != nil {
		return nil, err
	}
	return s.Data, nil
}

func fromAWS(ctx context.Context, svc *secretsmanager.Client, arn string) (string, error) {
	// ruleid: vibeward.go.secrets_management.secret-manager
	out, err := svc.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", err
	}
	return *out.SecretString, nil
}

// --------------------------------------------------------------- violations

// ruleid: vibeward.go.secrets_management.hardcoded-secret
var jwtSecret = []byte("my_super_secret_key_2024")

// ruleid: vibeward.go.secrets_management.hardcoded-secret
const stripeAPIKey = "sk_test_placeholder_value"

// ruleid: vibeward.go.secrets_management.known-credential-format
const awsKey = "AKIAIOSFODNN7EXAMPLE"

func dbConfig() DBConfig {
	return DBConfig{
		Host: "db.internal",
		User: "app",
		// ruleid: vibeward.go.secrets_management.hardcoded-secret
		Password: "Pr0d-Passw0rd!",
	}
}

func echoJWT() echojwt.Config {
	// ruleid: vibeward.go.secrets_management.hardcoded-secret
	return echojwt.Config{SigningKey: []byte("secret123")}
}

func GetJWTSecret() []byte {
	// ruleid: vibeward.go.secrets_management.secret-from-env
	secret := os.Getenv("JWT_SECRET")
	if secret == "" {
		// ok: vibeward.go.secrets_management.hardcoded-secret
		// ruleid: vibeward.go.secrets_management.secret-fallback
		secret = "supersecretkey123"
	}
	return []byte(secret)
}

func getEnv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

// ruleid: vibeward.go.secrets_management.secret-fallback
var signingKey = []byte(getEnv("JWT_SECRET", "dev-jwt-secret"))

func init() {
	// ruleid: vibeward.go.secrets_management.secret-fallback
	viper.SetDefault("auth.jwt_secret", "changeme-in-prod")
}

// ruleid: vibeward.go.secrets_management.dsn-password
const defaultDSN = "postgres://app:s3cr3tpw@localhost:5432/app?sslmode=disable"

func admin(r *gin.Engine) {
	// ruleid: vibeward.go.secrets_management.basic-auth-literal
	r.Group("/admin", gin.BasicAuth(gin.Accounts{"admin": "admin123"}))
}

// ------------------------------------------------------------- near misses

const (
	// ok: vibeward.go.secrets_management.hardcoded-secret
	apiKeyHeader = "X-API-Key"
	// ok: vibeward.go.secrets_management.hardcoded-secret
	jwtSecretEnv = "JWT_SECRET"
	// ok: vibeward.go.secrets_management.hardcoded-secret
	passwordField = "password"
	// ok: vibeward.go.secrets_management.hardcoded-secret
	tokenType = "Bearer"
	// ok: vibeward.go.secrets_management.hardcoded-secret
	csrfTokenLookup = "header:X-CSRF-Token,form:_csrf"
	// ok: vibeward.go.secrets_management.hardcoded-secret
	errInvalidPassword = "invalid password"
)

func emptyDefaults() Config {
	// ok: vibeward.go.secrets_management.hardcoded-secret
	password := ""
	// ok: vibeward.go.secrets_management.hardcoded-secret
	// ruleid: vibeward.go.secrets_management.secret-from-env
	token := os.Getenv("API_TOKEN")
	_ = password
	_ = token
	return Config{}
}

func requireSecret() []byte {
	// ruleid: vibeward.go.secrets_management.secret-from-env
	secret := os.Getenv("JWT_SECRET")
	if secret == "" {
		// ok: vibeward.go.secrets_management.secret-fallback
		panic("JWT_SECRET must be set")
	}
	return []byte(secret)
}

func dsn(c DBConfig) string {
	// ok: vibeward.go.secrets_management.dsn-password
	return fmt.Sprintf("postgres://%s:%s@%s/%s", c.User, c.Password, c.Host, c.Name)
}

func logRefresh(logger Logger) {
	// ok: vibeward.go.secrets_management.secret-fallback
	logger.Info("token refreshed", "subject")
}
