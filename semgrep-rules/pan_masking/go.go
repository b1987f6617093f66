package cards

import (
	"fmt"
	"strings"
)

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.pan_masking.mask-function
func MaskPAN(pan string) string {
	if len(pan) < 4 {
		return pan
	}
	// ruleid: vibeward.go.pan_masking.mask-expression
	return strings.Repeat("*", len(pan)-4) + pan[len(pan)-4:]
}

func display(number string) string {
	// ruleid: vibeward.go.pan_masking.mask-expression
	return fmt.Sprintf("**** **** **** %s", number[len(number)-4:])
}

type Card struct {
	Token string
	Last4 string
}

func fromInput(token, number string) Card {
	return Card{
		Token: token,
		// ruleid: vibeward.go.pan_masking.last4
		Last4: number[len(number)-4:],
	}
}

// ------------------------------------------------------------- near misses

// ok: vibeward.go.pan_masking.mask-function
func MaskEmail(email string) string {
	at := strings.Index(email, "@")
	// ok: vibeward.go.pan_masking.mask-expression
	return email[:1] + "***" + email[at:]
}

func suffix(s string) string {
	// ok: vibeward.go.pan_masking.last4
	ext := s[len(s)-4:]
	return ext
}
