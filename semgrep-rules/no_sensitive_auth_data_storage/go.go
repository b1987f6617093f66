package payments

import (
	"log"
	"log/slog"

	"go.uber.org/zap"
	"gorm.io/gorm"
)

// --------------------------------------------------------------- violations

type StoredCard struct {
	ID        uint   `gorm:"primaryKey"`
	Last4     string `gorm:"size:4" json:"last4"`
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	CVV       string `gorm:"column:cvv" json:"cvv"`
	ExpMonth  int    `db:"exp_month"`
}

type SwipeRecord struct {
	gorm.Model
	Terminal string
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	Track2Data string
}

type cardRow struct {
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	SecurityCode string `db:"security_code"`
}

// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-sql-column
const schema = `CREATE TABLE cards (id serial primary key, pan_token text, cvv varchar(4))`

func save(db *gorm.DB, c *StoredCard, logger *zap.Logger) {
	db.Create(c)
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-logged
	log.Printf("saving card %s cvv=%s", c.Last4, c.CVV)
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-logged
	logger.Info("card saved", zap.String("cvv", c.CVV))
	// ruleid: vibeward.go.no_sensitive_auth_data_storage.sad-logged
	slog.Debug("card", "cvv", c.CVV)
}

// ------------------------------------------------------------- near misses

// a request DTO forwarded to the processor, never stored
type ChargeRequest struct {
	PaymentMethodID string `json:"payment_method_id"`
	// ok: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	CVV string `json:"cvv" binding:"required,len=3"`
}

type Preference struct {
	// ok: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	Pinned bool `gorm:"default:false"`
	// ok: vibeward.go.no_sensitive_auth_data_storage.sad-model-field
	CVVCheckResult string `gorm:"size:1"`
}

func verify(req ChargeRequest) {
	// ok: vibeward.go.no_sensitive_auth_data_storage.sad-logged
	log.Println("cvv check requested for", req.PaymentMethodID)
}

// ok: vibeward.go.no_sensitive_auth_data_storage.sad-sql-column
const listCards = `SELECT id, last4, brand FROM cards WHERE user_id = $1`
