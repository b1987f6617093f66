package privacy

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)

type Service struct{ db *gorm.DB }

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.data_deletion.erasure-function
func (s *Service) AnonymizeUser(ctx context.Context, id uint) error {
	return s.db.WithContext(ctx).Model(&User{}).Where("id = ?", id).
		Updates(map[string]any{"email": nil, "name": "deleted user", "phone": nil}).Error
}

func Routes(r *gin.Engine, s *Service) {
	// ruleid: vibeward.go.data_deletion.erasure-route
	r.DELETE("/api/v1/me", s.deleteMe)
	// ok: vibeward.go.data_deletion.erasure-route
	r.DELETE("/api/v1/posts/:id", s.deletePost)
}

func std(mux *http.ServeMux, s *Service) {
	// ruleid: vibeward.go.data_deletion.erasure-route
	mux.HandleFunc("DELETE /account", s.handleDelete)
}

// ------------------------------------------------------------- near misses

// ok: vibeward.go.data_deletion.erasure-function
func (s *Service) DeleteComment(ctx context.Context, id uint) error {
	return s.db.WithContext(ctx).Delete(&Comment{}, id).Error
}
