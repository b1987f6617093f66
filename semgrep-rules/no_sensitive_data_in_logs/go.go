package auth

import (
	"log"
	"log/slog"
	"net/http"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

type LoginRequest struct {
	Email    string
	Password string
}

// --------------------------------------------------------------- violations

func login(req LoginRequest, logger *zap.Logger, token string) {
	// ruleid: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	log.Printf("login attempt %s / %s", req.Email, req.Password)
	// ruleid: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	logger.Debug("issued", zap.String("access_token", token))
	// ruleid: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	slog.Info("session created", "user", req.Email, "token", token)
	// ruleid: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	logrus.WithField("password", req.Password).Warn("bad login")
}

func debugRequest(r *http.Request) {
	// ruleid: vibeward.go.no_sensitive_data_in_logs.credentials-header-logged
	log.Println("auth header:", r.Header.Get("Authorization"))
}

// ------------------------------------------------------------- near misses

func safe(req LoginRequest, logger *zap.Logger, tokenID string, user User) error {
	// ok: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	log.Printf("login attempt for %s", req.Email)
	// ok: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	logger.Info("token issued", zap.String("token_id", tokenID))
	// ok: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	slog.Info("password changed", "user", user.ID, "password_length", len(req.Password))
	// ok: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	log.Printf("card ending %s", user.CardLast4)
	// ok: vibeward.go.no_sensitive_data_in_logs.sensitive-value-logged
	return fmt.Errorf("invalid password for %s", req.Email)
}
