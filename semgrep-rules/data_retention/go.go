package retention

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

func Run(db *gorm.DB, sqldb *sql.DB) {
	ticker := time.NewTicker(24 * time.Hour)
	for range ticker.C {
		cutoff := time.Now().AddDate(0, -12, 0)
		// ruleid: vibeward.go.data_retention.gorm-purge-expired
		db.Where("created_at < ?", cutoff).Delete(&AuditLog{})
		// ok: vibeward.go.data_retention.gorm-purge-expired
		db.Where("id = ?", 42).Delete(&User{})
		// ruleid: vibeward.go.data_retention.sql-purge-expired
		sqldb.Exec("DELETE FROM sessions WHERE created_at < $1", cutoff)
		// ok: vibeward.go.data_retention.sql-purge-expired
		sqldb.Exec("DELETE FROM sessions WHERE id = $1", 7)
	}
}
