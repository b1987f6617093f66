package web

import (
	"net/http"
	"os"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"
	"github.com/gorilla/mux"
	"github.com/gorilla/sessions"
	"github.com/justinas/nosurf"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// ---------------------------------------------------------------- evidence

func gorillaRouter(key []byte) http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/signup", signup).Methods("POST")
	// ruleid: vibeward.go.csrf_protection.gorilla-csrf
	protect := csrf.Protect(key, csrf.Path("/"), csrf.SameSite(csrf.SameSiteStrictMode))
	return protect(r)
}

func nosurfHandler(mux *http.ServeMux) http.Handler {
	// ruleid: vibeward.go.csrf_protection.nosurf
	h := nosurf.New(mux)
	h.SetBaseCookie(http.Cookie{Path: "/", HttpOnly: true, Secure: true})
	return h
}

func echoServer() *echo.Echo {
	e := echo.New()
	// ruleid: vibeward.go.csrf_protection.echo-csrf
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
	}))
	return e
}

func ginServer(store sessions.Store) *gin.Engine {
	r := gin.Default()
	// ruleid: vibeward.go.csrf_protection.gin-fiber-csrf
	r.Use(csrf.Middleware(csrf.Options{
		Secret: os.Getenv("CSRF_SECRET"),
		ErrorFunc: func(c *gin.Context) {
			c.String(400, "CSRF token mismatch")
			c.Abort()
		},
	}))
	return r
}

func stdlibCOP(mux *http.ServeMux) http.Handler {
	// ruleid: vibeward.go.csrf_protection.cross-origin-protection
	cop := http.NewCrossOriginProtection()
	_ = cop.AddTrustedOrigin("https://example.com")
	return cop.Handler(mux)
}

func setSession(w http.ResponseWriter, token string) {
	// ruleid: vibeward.go.csrf_protection.samesite-session-cookie
	http.SetCookie(w, &http.Cookie{
		Name:     "session_id",
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

func newSessionManager() *scs.SessionManager {
	sessionManager := scs.New()
	sessionManager.Lifetime = 12 * time.Hour
	// ruleid: vibeward.go.csrf_protection.samesite-session-cookie
	sessionManager.Cookie.SameSite = http.SameSiteStrictMode
	return sessionManager
}

func cookieStore(key []byte) *sessions.CookieStore {
	store := sessions.NewCookieStore(key)
	// ruleid: vibeward.go.csrf_protection.samesite-session-cookie
	store.Options = &sessions.Options{Path: "/", MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	return store
}

// --------------------------------------------------------------- violations

func insecureCSRF(r *mux.Router, key []byte) http.Handler {
	// ruleid: vibeward.go.csrf_protection.gorilla-csrf-insecure, vibeward.go.csrf_protection.gorilla-csrf
	return csrf.Protect(key, csrf.Secure(false))(r)
}

// ------------------------------------------------------------- near misses

func devCSRF(r *mux.Router, key []byte, dev bool) http.Handler {
	opts := []csrf.Option{csrf.Path("/")}
	if dev {
		// ok: vibeward.go.csrf_protection.gorilla-csrf-insecure
		// ruleid: vibeward.go.csrf_protection.gorilla-csrf
		return csrf.Protect(key, csrf.Secure(false))(r)
	}
	// ruleid: vibeward.go.csrf_protection.gorilla-csrf
	return csrf.Protect(key, opts...)(r)
}

func envCSRF(r *mux.Router, key []byte, isProd bool) http.Handler {
	// ok: vibeward.go.csrf_protection.gorilla-csrf-insecure
	// ruleid: vibeward.go.csrf_protection.gorilla-csrf
	return csrf.Protect(key, csrf.Secure(isProd))(r)
}

func themeCookie(w http.ResponseWriter) {
	// a preference cookie readable by scripts is no session cookie
	// ok: vibeward.go.csrf_protection.samesite-session-cookie
	http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", SameSite: http.SameSiteLaxMode})
}

func crossSiteCookie(w http.ResponseWriter, token string) {
	// ok: vibeward.go.csrf_protection.samesite-session-cookie
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: token, HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode})
}
