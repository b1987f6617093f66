package ratelimit

import (
	"net/http"
	"sync"
	"time"

	"github.com/didip/tollbooth/v7"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/ulule/limiter/v3"
	mgin "github.com/ulule/limiter/v3/drivers/middleware/gin"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	"golang.org/x/time/rate"
)

// ---------------------------------------------------------------- evidence

var (
	visitors = make(map[string]*rate.Limiter)
	mu       sync.Mutex
)

func getVisitor(ip string) *rate.Limiter {
	mu.Lock()
	defer mu.Unlock()
	limiter, exists := visitors[ip]
	if !exists {
		// ruleid: vibeward.go.rate_limiting.x-time-rate
		limiter = rate.NewLimiter(rate.Every(time.Minute/60), 30)
		visitors[ip] = limiter
	}
	return limiter
}

func ululeGin(r *gin.Engine) {
	// ruleid: vibeward.go.rate_limiting.limiter-new
	instance := limiter.New(memory.NewStore(), limiter.Rate{Period: time.Minute, Limit: 10})
	// ruleid: vibeward.go.rate_limiting.rate-limit-middleware
	r.Use(mgin.NewMiddleware(instance))
}

func tollboothHandler(h http.HandlerFunc) http.Handler {
	// ruleid: vibeward.go.rate_limiting.tollbooth
	return tollbooth.LimitFuncHandler(tollbooth.NewLimiter(1, nil), h)
}

func echoLimiter(e *echo.Echo) {
	// ruleid: vibeward.go.rate_limiting.echo-rate-limiter
	e.Use(middleware.RateLimiter(middleware.NewRateLimiterMemoryStore(20)))
}

func chiRouter() *chi.Mux {
	r := chi.NewRouter()
	// ruleid: vibeward.go.rate_limiting.httprate
	r.Use(httprate.LimitByIP(100, time.Minute))
	return r
}

const (
	// ruleid: vibeward.go.rate_limiting.failed-attempts-threshold
	maxLoginAttempts = 5
	// ruleid: vibeward.go.rate_limiting.lockout-duration
	lockoutDuration = 15 * time.Minute
)

type User struct {
	FailedLoginAttempts int
	LockedUntil         time.Time
}

func recordFailure(u *User) {
	u.FailedLoginAttempts++
	// ruleid: vibeward.go.rate_limiting.failed-attempts-threshold
	if u.FailedLoginAttempts >= 5 {
		// ruleid: vibeward.go.rate_limiting.lockout-duration
		u.LockedUntil = time.Now().Add(30 * time.Minute)
	}
}

// ------------------------------------------------------------- near misses

const (
	// ok: vibeward.go.rate_limiting.failed-attempts-threshold
	maxConnections = 100
	// ok: vibeward.go.rate_limiting.failed-attempts-threshold
	maxRetries = 3
	// ok: vibeward.go.rate_limiting.lockout-duration
	cacheTTL = 15 * time.Minute
)

func retryHTTP(attempt int) bool {
	// ok: vibeward.go.rate_limiting.failed-attempts-threshold
	return attempt >= 3
}
