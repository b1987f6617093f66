package session

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"
)

var sessionManager *scs.SessionManager

// ---------------------------------------------------------------- evidence

func setupSCS() {
	sessionManager = scs.New()
	// ruleid: vibeward.go.session_timeout.idle-timeout-minutes
	sessionManager.IdleTimeout = 15 * time.Minute
	// ruleid: vibeward.go.session_timeout.absolute-timeout-hours
	sessionManager.Lifetime = 12 * time.Hour
	sessionManager.Cookie.HttpOnly = true
}

func setupSCSFromConfig(cfg *Config) *scs.SessionManager {
	sm := scs.New()
	// ruleid: vibeward.go.session_timeout.session-timeout-configured
	sm.IdleTimeout = cfg.SessionIdle
	return sm
}

func gorillaStore(key []byte) *sessions.CookieStore {
	store := sessions.NewCookieStore(key)
	// ruleid: vibeward.go.session_timeout.session-max-age-seconds
	store.Options = &sessions.Options{Path: "/", MaxAge: 900, HttpOnly: true, Secure: true}
	return store
}

func gorillaStoreMinutes(key []byte) *sessions.CookieStore {
	store := sessions.NewCookieStore(key)
	// ruleid: vibeward.go.session_timeout.session-max-age-minutes
	store.Options = &sessions.Options{Path: "/", MaxAge: 60 * 30, HttpOnly: true}
	return store
}

func fiberStore() *session.Store {
	// ruleid: vibeward.go.session_timeout.idle-timeout-minutes
	return session.New(session.Config{Expiration: 30 * time.Minute, CookieHTTPOnly: true})
}

const (
	// ruleid: vibeward.go.session_timeout.idle-timeout-seconds
	sessionIdleTimeout = 900 * time.Second
	// ruleid: vibeward.go.session_timeout.absolute-timeout-hours
	maxSessionLifetime = 8 * time.Hour
)

type Session struct {
	UserID       string
	LastActivity time.Time
}

func expired(s *Session) bool {
	// ruleid: vibeward.go.session_timeout.idle-timeout-minutes
	return time.Since(s.LastActivity) > 15*time.Minute
}

func touch(ctx context.Context, rdb *redis.Client, id string, data []byte) error {
	// ruleid: vibeward.go.session_timeout.idle-timeout-minutes
	return rdb.Set(ctx, "session:"+id, data, 20*time.Minute).Err()
}

func issueToken(userID string, key []byte) (string, error) {
	claims := jwt.RegisteredClaims{
		Subject: userID,
		// ruleid: vibeward.go.session_timeout.jwt-expiry
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(15 * time.Minute)),
		IssuedAt:  jwt.NewNumericDate(time.Now()),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}

func issueMapToken(userID string, key []byte) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": userID,
		// ruleid: vibeward.go.session_timeout.jwt-expiry
		"exp": time.Now().Add(time.Hour * 24).Unix(),
	})
	return token.SignedString(key)
}

func issueFromConfig(userID string, key []byte, ttl time.Duration) (string, error) {
	exp := time.Now().Add(ttl)
	claims := jwt.RegisteredClaims{
		Subject: userID,
		// ruleid: vibeward.go.session_timeout.jwt-expiry-set
		ExpiresAt: jwt.NewNumericDate(exp),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}

func setCookie(w http.ResponseWriter, token string) {
	// ruleid: vibeward.go.session_timeout.cookie-expiry
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: token, MaxAge: 1800, HttpOnly: true, Secure: true})
}

func logout(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.session_timeout.session-invalidated
	_ = sessionManager.Destroy(r.Context())
	// ok: vibeward.go.session_timeout.cookie-expiry
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", MaxAge: -1, HttpOnly: true})
}

func gorillaLogout(w http.ResponseWriter, r *http.Request, store sessions.Store) {
	s, _ := store.Get(r, "session")
	// ruleid: vibeward.go.session_timeout.session-invalidated
	s.Options.MaxAge = -1
	_ = s.Save(r, w)
}

// ------------------------------------------------------------- near misses

func server(h http.Handler) *http.Server {
	return &http.Server{
		Handler: h,
		// ok: vibeward.go.session_timeout.idle-timeout-seconds
		IdleTimeout: 120 * time.Second,
		// ok: vibeward.go.session_timeout.idle-timeout-seconds
		ReadTimeout: 5 * time.Second,
	}
}

const (
	// ok: vibeward.go.session_timeout.idle-timeout-minutes
	cacheTTL = 15 * time.Minute
)

func cacheSet(ctx context.Context, rdb *redis.Client, key string, v []byte) error {
	// ok: vibeward.go.session_timeout.idle-timeout-minutes
	return rdb.Set(ctx, "product:"+key, v, 10*time.Minute).Err()
}

func prefCookie(w http.ResponseWriter) {
	// ok: vibeward.go.session_timeout.cookie-expiry
	http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", MaxAge: 31536000})
}

func mixed() {
	// ok: vibeward.go.session_timeout.idle-timeout-minutes
	sessionManager.IdleTimeout = 2*time.Hour + 30*time.Minute
}

type Config struct {
	SessionIdle time.Duration
}

func unitVariants(key []byte) {
	cfg := SessionConfig{
		// ruleid: vibeward.go.session_timeout.idle-timeout-hours
		SessionIdleTimeout: time.Hour * 1,
		// ruleid: vibeward.go.session_timeout.absolute-timeout-minutes
		AbsoluteLifetime: 480 * time.Minute,
	}
	_ = cfg
	hourly := sessions.NewCookieStore(key)
	// ruleid: vibeward.go.session_timeout.session-max-age-hours
	hourly.Options = &sessions.Options{MaxAge: 60 * 60 * 8}
	weekly := sessions.NewCookieStore(key)
	// ruleid: vibeward.go.session_timeout.session-max-age-days
	weekly.Options = &sessions.Options{MaxAge: 86400 * 7}
}
