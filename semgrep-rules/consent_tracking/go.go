package consent

import (
	"context"
	"time"
)

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.consent_tracking.consent-record
type Consent struct {
	ID            uint
	UserID        uint
	Purpose       string
	NoticeVersion string
	GrantedAt     time.Time
	WithdrawnAt   *time.Time
	Method        string
}

// ruleid: vibeward.go.consent_tracking.consent-function
func (s *Store) WithdrawConsent(ctx context.Context, userID uint, purpose string) error {
	return s.db.WithContext(ctx).Model(&Consent{}).
		Where("user_id = ? AND purpose = ? AND withdrawn_at IS NULL", userID, purpose).
		Update("withdrawn_at", time.Now()).Error
}

// ------------------------------------------------------------- near misses

// ok: vibeward.go.consent_tracking.consent-record
type ConsentScreenConfig struct {
	Title string
	Body  string
}

// ok: vibeward.go.consent_tracking.consent-function
func (s *Store) ConsentCount(ctx context.Context) int { return 0 }
