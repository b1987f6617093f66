package routes

import (
	"net/http"

	"github.com/casbin/casbin/v2"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"
)

// ---------------------------------------------------------------- evidence

func Register(r *gin.Engine) {
	api := r.Group("/api", AuthRequired())
	// ruleid: vibeward.go.access_control.role-middleware
	admin := api.Group("/admin", RequireRole("admin"))
	admin.GET("/users", listUsers)
	// ruleid: vibeward.go.access_control.role-middleware
	api.DELETE("/posts/:id", RequirePermission("posts:delete"), deletePost)
}

func chiRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		// ruleid: vibeward.go.access_control.role-middleware
		r.Use(middleware.AdminOnly)
		r.Get("/admin/stats", stats)
	})
}

func RequireRole(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		userRole, exists := c.Get("role")
		if !exists || userRole != role {
			// ruleid: vibeward.go.access_control.role-check-forbidden
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "forbidden"})
			return
		}
		c.Next()
	}
}

func echoAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); !u.IsAdmin {
			// ruleid: vibeward.go.access_control.role-check-forbidden
			return echo.ErrForbidden
		}
		return next(c)
	}
}

func casbinCheck(e *casbin.Enforcer) gin.HandlerFunc {
	return func(c *gin.Context) {
		// ruleid: vibeward.go.access_control.policy-enforcer
		ok, err := e.Enforce(c.GetString("sub"), c.Request.URL.Path, c.Request.Method)
		if err != nil || !ok {
			c.AbortWithStatus(403)
			return
		}
		c.Next()
	}
}

// ------------------------------------------------------------- near misses

func public(r *gin.Engine) {
	// ok: vibeward.go.access_control.role-middleware
	r.Use(gin.Logger(), gin.Recovery())
	// ok: vibeward.go.access_control.role-middleware
	r.GET("/admin/login", showLogin)
}

func csrfFail(w http.ResponseWriter, r *http.Request, tokenOK bool) {
	if !tokenOK {
		// ok: vibeward.go.access_control.role-check-forbidden
		http.Error(w, "bad token", http.StatusForbidden)
	}
}

func loginFail(c echo.Context) error {
	// ok: vibeward.go.access_control.role-middleware
	return responses.ErrorResponse(c, http.StatusUnauthorized, "Invalid credentials")
}
