package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/unrolled/secure"
)

// ---------------------------------------------------------------- evidence

func unrolled(h http.Handler) http.Handler {
	// ruleid: vibeward.go.security_headers.secure-middleware
	sm := secure.New(secure.Options{
		// ruleid: vibeward.go.security_headers.hsts-max-age-config
		STSSeconds:            31536000,
		STSIncludeSubdomains:  true,
		FrameDeny:             true,
		ContentTypeNosniff:    true,
		ContentSecurityPolicy: "default-src 'self'",
	})
	return sm.Handler(h)
}

func echoSecure(e *echo.Echo) {
	// ruleid: vibeward.go.security_headers.secure-middleware
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "1; mode=block",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		// ruleid: vibeward.go.security_headers.hsts-max-age-config
		HSTSMaxAge: 3600,
	}))
}

func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: vibeward.go.security_headers.security-header-set
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		// ruleid: vibeward.go.security_headers.security-header-set
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// ruleid: vibeward.go.security_headers.hsts-header
		w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")
		next.ServeHTTP(w, r)
	})
}

func ginHeaders(c *gin.Context) {
	// ruleid: vibeward.go.security_headers.security-header-set
	c.Header("X-Frame-Options", "DENY")
	c.Next()
}

// ------------------------------------------------------------- near misses

func jsonHeaders(w http.ResponseWriter) {
	// ok: vibeward.go.security_headers.security-header-set
	w.Header().Set("Content-Type", "application/json")
	// ok: vibeward.go.security_headers.hsts-header
	w.Header().Set("Cache-Control", "max-age=3600")
}
