package auth

import (
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// ---------------------------------------------------------------- evidence

func verifyCode(code, secret string) bool {
	// ruleid: vibeward.go.mfa.totp
	return totp.Validate(code, secret)
}

func verifyStrict(code, secret string) (bool, error) {
	// ruleid: vibeward.go.mfa.totp
	return totp.ValidateCustom(code, secret, time.Now().UTC(), totp.ValidateOpts{
		// ruleid: vibeward.go.mfa.totp-period
		Period:    30,
		Skew:      1,
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
}

func finishLogin(wa *webauthn.WebAuthn, user webauthn.User, session webauthn.SessionData, r *http.Request) error {
	// ruleid: vibeward.go.mfa.webauthn
	_, err := wa.FinishLogin(user, session, r)
	return err
}

// ------------------------------------------------------------- near misses

func enroll(email string) (*otp.Key, error) {
	// ok: vibeward.go.mfa.totp
	return totp.Generate(totp.GenerateOpts{Issuer: "Example", AccountName: email})
}

func finishCheckout(o *Order) error {
	// ok: vibeward.go.mfa.webauthn
	return o.Finish()
}
