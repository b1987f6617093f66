package upload

import (
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gabriel-vasile/mimetype"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

const maxUpload = 5 << 20

// ---------------------------------------------------------------- evidence

func uploadAvatar(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.file_upload_validation.max-bytes-reader-mb
	r.Body = http.MaxBytesReader(w, r.Body, 10<<20)
	// ruleid: vibeward.go.file_upload_validation.multipart-memory-limit
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
		return
	}
	file, _, err := r.FormFile("avatar")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	defer file.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	// ruleid: vibeward.go.file_upload_validation.content-type-sniffing
	if ct := http.DetectContentType(head[:n]); ct != "image/png" && ct != "image/jpeg" {
		http.Error(w, "unsupported type", http.StatusUnsupportedMediaType)
		return
	}
}

func uploadDoc(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.file_upload_validation.max-bytes-reader-bytes
	r.Body = http.MaxBytesReader(w, r.Body, 1048576)
	// ruleid: vibeward.go.file_upload_validation.content-type-sniffing
	mt, err := mimetype.DetectReader(r.Body)
	_ = mt
	_ = err
}

func uploadConst(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.file_upload_validation.max-bytes-reader
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
}

func echoLimit(e *echo.Echo) {
	// ruleid: vibeward.go.file_upload_validation.echo-body-limit-mb
	e.Use(middleware.BodyLimit("2M"))
}

func ginSafe(c *gin.Context) {
	file, err := c.FormFile("file")
	if err != nil {
		c.String(http.StatusBadRequest, "bad upload")
		return
	}
	dst := filepath.Join("/srv/uploads", uuid.NewString()+filepath.Ext(file.Filename))
	// ok: vibeward.go.file_upload_validation.client-filename-path
	_ = c.SaveUploadedFile(file, dst)
	// ok: vibeward.go.file_upload_validation.client-filename-path
	_ = c.SaveUploadedFile(file, "/srv/uploads/"+filepath.Base(file.Filename))
}

// --------------------------------------------------------------- violations

func ginUnsafe(c *gin.Context) {
	file, _ := c.FormFile("file")
	// ruleid: vibeward.go.file_upload_validation.client-filename-path
	_ = c.SaveUploadedFile(file, "./uploads/"+file.Filename)
}

func stdUnsafe(r *http.Request) error {
	_, header, err := r.FormFile("file")
	if err != nil {
		return err
	}
	// ruleid: vibeward.go.file_upload_validation.client-filename-path
	out, err := os.Create(filepath.Join("uploads", header.Filename))
	if err != nil {
		return err
	}
	return out.Close()
}

// ------------------------------------------------------------- near misses

func readJSON(w http.ResponseWriter, r *http.Request) {
	// ok: vibeward.go.file_upload_validation.max-bytes-reader-mb
	// ruleid: vibeward.go.file_upload_validation.max-bytes-reader-bytes
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
}

func smallForm(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.file_upload_validation.max-bytes-reader-kb
	r.Body = http.MaxBytesReader(w, r.Body, 512<<10)
}

func echoLimitConfigured(e *echo.Echo, limit string) {
	// ok: vibeward.go.file_upload_validation.echo-body-limit-mb
	// ruleid: vibeward.go.file_upload_validation.echo-body-limit
	e.Use(middleware.BodyLimit(limit))
}
