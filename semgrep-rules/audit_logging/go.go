package audit

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
	"gorm.io/gorm"
)

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.audit_logging.audit-logger
var auditLog = slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("audit", true)

// ruleid: vibeward.go.audit_logging.audit-logger
var fileAudit = log.New(os.Stderr, "AUDIT ", log.LstdFlags|log.LUTC)

func newZapAudit() *zap.Logger {
	// ruleid: vibeward.go.audit_logging.audit-logger
	return zap.L().Named("audit")
}

type AuditLog struct {
	ID     uint `gorm:"primaryKey"`
	UserID uint
	Action string
	IP     string
}

type Service struct {
	db          *gorm.DB
	auditLogger *AuditLogger
	logger      *slog.Logger
}

func (s *Service) ChangeRole(ctx context.Context, actor, target uint, role string) error {
	// ruleid: vibeward.go.audit_logging.audit-record
	if err := s.db.Create(&AuditLog{UserID: actor, Action: "role_change:" + role}).Error; err != nil {
		return err
	}
	// ruleid: vibeward.go.audit_logging.audit-record
	s.auditLogger.Record(ctx, "user.role_changed", target)
	// ruleid: vibeward.go.audit_logging.security-event-log
	s.logger.InfoContext(ctx, "role changed", "actor", actor, "target", target, "role", role)
	return nil
}

func Login(c *gin.Context, logger *zap.Logger) {
	email := c.PostForm("email")
	if !check(email, c.PostForm("password")) {
		// ruleid: vibeward.go.audit_logging.security-event-log
		logger.Warn("failed login attempt", zap.String("email", email), zap.String("ip", c.ClientIP()))
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid credentials"})
		return
	}
	// ruleid: vibeward.go.audit_logging.security-event-log
	log.Printf("user logged in: %s from %s", email, c.ClientIP())
}

func Logout(ctx context.Context, userID string) {
	// ruleid: vibeward.go.audit_logging.audit-record
	audit.Log(ctx, audit.Event{Action: "auth.logout", Actor: userID})
}

// ------------------------------------------------------------- near misses

func other(logger *slog.Logger, l *zap.Logger) error {
	// ok: vibeward.go.audit_logging.security-event-log
	logger.Info("server started", "addr", ":8080")
	// ok: vibeward.go.audit_logging.audit-logger
	child := l.Named("http")
	child.Info("request served")
	// ok: vibeward.go.audit_logging.security-event-log
	fmt.Println("user logged in")
	// ok: vibeward.go.audit_logging.security-event-log
	return errors.New("permission denied")
}

func scanTarget(db *gorm.DB) error {
	var logs []AuditLog
	// ok: vibeward.go.audit_logging.audit-record
	return db.Find(&logs).Error
}

func empty() *AuditLog {
	// ok: vibeward.go.audit_logging.audit-record
	return &AuditLog{}
}
