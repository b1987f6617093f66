package auth

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"
)

const bcryptCost = 12

type Hasher struct{ cost int }

// ---------------------------------------------------------------- evidence

func HashPassword(password string) (string, error) {
	// ruleid: vibeward.go.password_hashing.bcrypt-generate-cost
	hashed, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	return string(hashed), err
}

func HashPasswordDefault(password string) (string, error) {
	// ruleid: vibeward.go.password_hashing.bcrypt-generate-default-cost
	bytes, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(bytes), err
}

func (h *Hasher) Hash(password string) ([]byte, error) {
	// ruleid: vibeward.go.password_hashing.bcrypt-generate
	return bcrypt.GenerateFromPassword([]byte(password), h.cost)
}

func HashWithConst(pw []byte) ([]byte, error) {
	// ok: vibeward.go.password_hashing.bcrypt-generate-cost
	// ruleid: vibeward.go.password_hashing.bcrypt-generate
	return bcrypt.GenerateFromPassword(pw, bcryptCost)
}

func CheckPassword(hash, password string) bool {
	// ruleid: vibeward.go.password_hashing.bcrypt-compare
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

func Argon2Hash(password string, salt []byte) []byte {
	// ruleid: vibeward.go.password_hashing.argon2id-memory
	return argon2.IDKey([]byte(password), salt, 2, 64*1024, 4, 32)
}

type params struct {
	memory, iterations uint32
	parallelism        uint8
	keyLength          uint32
}

func Argon2Configured(p *params, password string, salt []byte) []byte {
	// ruleid: vibeward.go.password_hashing.argon2
	return argon2.IDKey([]byte(password), salt, p.iterations, p.memory, p.parallelism, p.keyLength)
}

func Argon2Lib(password string) (string, error) {
	// ruleid: vibeward.go.password_hashing.argon2
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

func ScryptHash(password string, salt []byte) ([]byte, error) {
	// ruleid: vibeward.go.password_hashing.scrypt
	return scrypt.Key([]byte(password), salt, 32768, 8, 1, 32)
}

func Pbkdf2Hash(password string, salt []byte) []byte {
	// ruleid: vibeward.go.password_hashing.pbkdf2-sha256-iterations
	return pbkdf2.Key([]byte(password), salt, 600_000, 32, sha256.New)
}

func Pbkdf2Sha512(password string, salt []byte) []byte {
	// ruleid: vibeward.go.password_hashing.pbkdf2-sha512-iterations
	return pbkdf2.Key([]byte(password), salt, 210000, 64, sha512.New)
}

// Go 1.24 crypto/pbkdf2 takes the hash first
func Pbkdf2Std(password string, salt []byte) ([]byte, error) {
	// ruleid: vibeward.go.password_hashing.pbkdf2-sha256-iterations
	return pbkdf2.Key(sha256.New, password, salt, 600000, 32)
}

func Pbkdf2Sha1(password string, salt []byte) []byte {
	// ok: vibeward.go.password_hashing.pbkdf2-sha256-iterations
	// ruleid: vibeward.go.password_hashing.pbkdf2
	return pbkdf2.Key([]byte(password), salt, 4096, 32, sha1.New)
}

func Pbkdf2Configured(password string, salt []byte, iterations int) []byte {
	// ok: vibeward.go.password_hashing.pbkdf2-sha256-iterations
	// ruleid: vibeward.go.password_hashing.pbkdf2-variable-iterations
	return pbkdf2.Key([]byte(password), salt, iterations, 32, sha256.New)
}

// --------------------------------------------------------------- violations

func QuickHash(password string) ([]byte, error) {
	// ruleid: vibeward.go.password_hashing.bcrypt-min-cost
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
}

func Md5Password(password string) string {
	// ruleid: vibeward.go.password_hashing.fast-hash-password
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

func (s *UserService) encodePwd(u *User) string {
	// ruleid: vibeward.go.password_hashing.fast-hash-password
	return fmt.Sprintf("%x", sha256.Sum256([]byte(u.Password+s.salt)))
}

func Sha1Password(pwd string) string {
	h := sha1.New()
	// ruleid: vibeward.go.password_hashing.fast-hash-password
	io.WriteString(h, pwd)
	return hex.EncodeToString(h.Sum(nil))
}

func MakePassword(req *RegisterRequest, salt string) string {
	hasher := md5.New()
	// ruleid: vibeward.go.password_hashing.fast-hash-password
	hasher.Write([]byte(req.Password + salt))
	return hex.EncodeToString(hasher.Sum(nil))
}

// ------------------------------------------------------------- near misses

// Gravatar identifies an avatar by the MD5 of the e-mail address
func GravatarURL(email string) string {
	// ok: vibeward.go.password_hashing.fast-hash-password
	hash := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	return fmt.Sprintf("https://www.gravatar.com/avatar/%s?d=identicon", hex.EncodeToString(hash[:]))
}

func ETag(body []byte) string {
	// ok: vibeward.go.password_hashing.fast-hash-password
	return fmt.Sprintf(`"%x"`, sha1.Sum(body))
}

func CacheKey(userID, query string) string {
	h := sha256.New()
	// ok: vibeward.go.password_hashing.fast-hash-password
	h.Write([]byte(userID + ":" + query))
	return hex.EncodeToString(h.Sum(nil))
}

func FileChecksum(r io.Reader) (string, error) {
	h := md5.New()
	// ok: vibeward.go.password_hashing.fast-hash-password
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// tokens (password reset, API keys) are high-entropy: a fast hash is fine
func HashResetToken(passwordResetToken string) string {
	// ok: vibeward.go.password_hashing.fast-hash-password
	sum := sha256.Sum256([]byte(passwordResetToken))
	return hex.EncodeToString(sum[:])
}

// HIBP k-anonymity lookups send the first 5 hex chars of SHA-1(password)
func IsPwnedPassword(password string) bool {
	// ok: vibeward.go.password_hashing.fast-hash-password
	sum := sha1.Sum([]byte(password))
	prefix := strings.ToUpper(hex.EncodeToString(sum[:]))[:5]
	return lookupRange(prefix)
}

// hashing both sides before a constant-time compare of basic-auth credentials
func basicAuth(next http.Handler, user, pass string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		username, password, ok := r.BasicAuth()
		if ok {
			usernameHash := sha256.Sum256([]byte(username))
			// ok: vibeward.go.password_hashing.fast-hash-password
			passwordHash := sha256.Sum256([]byte(password))
			expectedUsernameHash := sha256.Sum256([]byte(user))
			// ok: vibeward.go.password_hashing.fast-hash-password
			expectedPasswordHash := sha256.Sum256([]byte(pass))
			usernameMatch := subtle.ConstantTimeCompare(usernameHash[:], expectedUsernameHash[:]) == 1
			passwordMatch := subtle.ConstantTimeCompare(passwordHash[:], expectedPasswordHash[:]) == 1
			if usernameMatch && passwordMatch {
				next.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	})
}
