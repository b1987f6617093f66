package privacy

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.data_portability.export-function
func (s *Service) ExportUserData(w http.ResponseWriter, r *http.Request) {
	data, _ := s.collect(r.Context(), userID(r))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="my-data.json"`)
	_ = json.NewEncoder(w).Encode(data)
}

func Routes(r *gin.Engine, s *Service) {
	// ruleid: vibeward.go.data_portability.export-route
	r.GET("/api/v1/me/export", s.exportGin)
	// ok: vibeward.go.data_portability.export-route
	r.GET("/api/v1/reports/export", s.reportCSV)
}

// ------------------------------------------------------------- near misses

// ok: vibeward.go.data_portability.export-function
func (s *Service) ExportReport(w http.ResponseWriter, r *http.Request) {}
