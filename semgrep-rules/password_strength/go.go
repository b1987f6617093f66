package auth

import (
	"errors"

	passwordvalidator "github.com/wagslane/go-password-validator"
	"github.com/nbutton23/zxcvbn-go"
)

const minPasswordLength = 12

func ValidatePassword(password string, name string) error {
	// ruleid: vibeward.go.password_strength.length-check
	if len(password) < 12 {
		return errors.New("password too short")
	}
	// ruleid: vibeward.go.password_strength.length-check
	if len(password) < minPasswordLength {
		return errors.New("password too short")
	}
	// ok: vibeward.go.password_strength.length-check
	if len(name) < 3 {
		return errors.New("name too short")
	}
	// ruleid: vibeward.go.password_strength.password-validator
	if err := passwordvalidator.Validate(password, 60); err != nil {
		return err
	}
	// ruleid: vibeward.go.password_strength.password-validator
	if zxcvbn.PasswordStrength(password, nil).Score < 3 {
		return errors.New("weak password")
	}
	return nil
}
