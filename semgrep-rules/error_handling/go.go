package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// ---------------------------------------------------------------- evidence

func newGin() *gin.Engine {
	r := gin.New()
	// ruleid: vibeward.go.error_handling.recovery-middleware
	r.Use(gin.Recovery())
	return r
}

func newEcho() *echo.Echo {
	e := echo.New()
	// ruleid: vibeward.go.error_handling.recovery-middleware
	e.Use(middleware.Recover())
	// ruleid: vibeward.go.error_handling.request-id
	e.Use(middleware.RequestID())
	// ruleid: vibeward.go.error_handling.central-error-handler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		slog.Error("request failed", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		_ = c.JSON(http.StatusInternalServerError, map[string]string{"error": "internal error", "request_id": c.Response().Header().Get(echo.HeaderXRequestID)})
	}
	return e
}

// --------------------------------------------------------------- violations

func getUser(w http.ResponseWriter, r *http.Request) {
	u, err := load(r)
	if err != nil {
		// ruleid: vibeward.go.error_handling.internal-error-exposed
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = u
}

func ginHandler(c *gin.Context) {
	if err := save(c); err != nil {
		// ruleid: vibeward.go.error_handling.internal-error-exposed
		c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
		return
	}
}

func panicHandler(w http.ResponseWriter) {
	defer func() {
		if rec := recover(); rec != nil {
			w.WriteHeader(http.StatusInternalServerError)
			// ruleid: vibeward.go.error_handling.stack-trace-exposed
			w.Write(debug.Stack())
		}
	}()
}

// ------------------------------------------------------------- near misses

func badInput(c *gin.Context) {
	var req struct{ Name string }
	if err := c.ShouldBindJSON(&req); err != nil {
		// validation messages for the caller are fine
		// ok: vibeward.go.error_handling.internal-error-exposed
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
}

func generic(w http.ResponseWriter, r *http.Request) {
	if _, err := load(r); err != nil {
		slog.Error("load failed", "err", err)
		// ok: vibeward.go.error_handling.internal-error-exposed
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	_ = errors.New
	_ = fmt.Sprint
}
