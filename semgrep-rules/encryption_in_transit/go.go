package server

import (
	"crypto/tls"
	"net/http"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/acme/autocert"
)

// ---------------------------------------------------------------- evidence

func serve(h http.Handler) error {
	srv := &http.Server{
		Addr:    ":443",
		Handler: h,
		TLSConfig: &tls.Config{
			// ruleid: vibeward.go.encryption_in_transit.tls-min-version
			MinVersion: tls.VersionTLS12,
		},
	}
	// ruleid: vibeward.go.encryption_in_transit.serve-tls
	return srv.ListenAndServeTLS("cert.pem", "key.pem")
}

func ginTLS(r *gin.Engine) error {
	// ruleid: vibeward.go.encryption_in_transit.serve-tls
	return r.RunTLS(":8443", "cert.pem", "key.pem")
}

func acme(h http.Handler) *http.Server {
	// ruleid: vibeward.go.encryption_in_transit.autocert
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist("example.com"),
		Cache:      autocert.DirCache("certs"),
	}
	return &http.Server{Addr: ":443", Handler: h, TLSConfig: m.TLSConfig()}
}

func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: vibeward.go.encryption_in_transit.hsts-or-https-redirect
		w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		next.ServeHTTP(w, r)
	})
}

func redirectHTTP(w http.ResponseWriter, r *http.Request) {
	// ruleid: vibeward.go.encryption_in_transit.hsts-or-https-redirect
	http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusMovedPermanently)
}

// ruleid: vibeward.go.encryption_in_transit.db-tls-required
const dsn = "host=db.internal user=app dbname=app sslmode=verify-full"

// --------------------------------------------------------------- violations

func insecureClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		// ruleid: vibeward.go.encryption_in_transit.insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
}

func legacy() *tls.Config {
	return &tls.Config{
		// ruleid: vibeward.go.encryption_in_transit.weak-tls-version
		MinVersion: tls.VersionTLS10,
	}
}

// ------------------------------------------------------------- near misses

func devClient(skip bool) *http.Client {
	// ruleid: vibeward.go.encryption_in_transit.tls-min-version
	cfg := &tls.Config{MinVersion: tls.VersionTLS13}
	if skip {
		// ok: vibeward.go.encryption_in_transit.insecure-skip-verify
		cfg.InsecureSkipVerify = true
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

func plainRedirect(w http.ResponseWriter, r *http.Request) {
	// ok: vibeward.go.encryption_in_transit.hsts-or-https-redirect
	http.Redirect(w, r, "/login", http.StatusFound)
}

func plain(h http.Handler) error {
	// ok: vibeward.go.encryption_in_transit.serve-tls
	return http.ListenAndServe(":8080", h)
}

func configured(insecure bool) *tls.Config {
	// ok: vibeward.go.encryption_in_transit.insecure-skip-verify
	// ruleid: vibeward.go.encryption_in_transit.tls-min-version
	return &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}
}
