package crypto

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/rc4"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	vault "github.com/hashicorp/vault/api"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/nacl/secretbox"
)

// ---------------------------------------------------------------- evidence

func Encrypt(key, plaintext []byte) ([]byte, error) {
	// ok: vibeward.go.encryption_at_rest.aes-cipher
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// ruleid: vibeward.go.encryption_at_rest.aes-gcm
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plaintext, nil), nil
}

func encryptCTR(key, plaintext []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	ciphertext := make([]byte, aes.BlockSize+len(plaintext))
	iv := ciphertext[:aes.BlockSize]
	if _, err := io.ReadFull(rand.Reader, iv); err != nil {
		return nil, err
	}
	stream := cipher.NewCTR(block, iv)
	stream.XORKeyStream(ciphertext[aes.BlockSize:], plaintext)
	return ciphertext, nil
}

func sealX(key, msg []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.aead-nacl
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(msg)+aead.Overhead())
	return aead.Seal(nonce, nonce, msg, nil), nil
}

func sealBox(key *[32]byte, nonce *[24]byte, msg []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.aead-nacl
	return secretbox.Seal(nonce[:], msg, nonce, key)
}

func kmsEncrypt(ctx context.Context, client *kms.Client, keyID string, data []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.kms-encrypt
	out, err := client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:     aws.String(keyID),
		Plaintext: data,
	})
	if err != nil {
		return nil, err
	}
	return out.CiphertextBlob, nil
}

func transit(client *vault.Client, b64 string) (*vault.Secret, error) {
	// ruleid: vibeward.go.encryption_at_rest.kms-encrypt
	return client.Logical().Write("transit/encrypt/orders", map[string]interface{}{"plaintext": b64})
}

// ruleid: vibeward.go.encryption_at_rest.pgcrypto
const insertSSN = `INSERT INTO patients (name, ssn) VALUES ($1, pgp_sym_encrypt($2, $3))`

// --------------------------------------------------------------- violations

func legacyDES(key, src []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.weak-cipher
	block, _ := des.NewTripleDESCipher(key)
	dst := make([]byte, len(src))
	block.Encrypt(dst, src)
	return dst
}

func legacyRC4(key, src []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.weak-cipher
	c, _ := rc4.NewCipher(key)
	dst := make([]byte, len(src))
	c.XORKeyStream(dst, src)
	return dst
}

func fixedIV(key, padded []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(padded))
	// ruleid: vibeward.go.encryption_at_rest.cbc-static-iv
	mode := cipher.NewCBCEncrypter(block, []byte("0102030405060708"))
	mode.CryptBlocks(out, padded)
	return out
}

func keyAsIV(key, padded []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(padded))
	// ruleid: vibeward.go.encryption_at_rest.cbc-static-iv
	cipher.NewCBCEncrypter(block, key[:block.BlockSize()]).CryptBlocks(out, padded)
	return out
}

func zeroIV(key, padded []byte) []byte {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, _ := aes.NewCipher(key)
	iv := make([]byte, aes.BlockSize)
	out := make([]byte, len(padded))
	// ruleid: vibeward.go.encryption_at_rest.cbc-static-iv
	mode := cipher.NewCBCEncrypter(block, iv)
	mode.CryptBlocks(out, padded)
	return out
}

func ecb(key, src []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	dst := make([]byte, len(src))
	for bs := 0; bs < len(src); bs += aes.BlockSize {
		// ruleid: vibeward.go.encryption_at_rest.ecb-mode
		block.Encrypt(dst[bs:bs+aes.BlockSize], src[bs:bs+aes.BlockSize])
	}
	return dst, nil
}

// ------------------------------------------------------------- near misses

func randomIV(key, padded []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	ciphertext := make([]byte, aes.BlockSize+len(padded))
	iv := ciphertext[:aes.BlockSize]
	if _, err := io.ReadFull(rand.Reader, iv); err != nil {
		return nil, err
	}
	// ok: vibeward.go.encryption_at_rest.cbc-static-iv
	mode := cipher.NewCBCEncrypter(block, iv)
	mode.CryptBlocks(ciphertext[aes.BlockSize:], padded)
	return ciphertext, nil
}

func randomIVMake(key, padded []byte) ([]byte, error) {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	out := make([]byte, len(padded))
	// ok: vibeward.go.encryption_at_rest.cbc-static-iv
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, padded)
	return append(iv, out...), nil
}

func singleBlock(key, src []byte) {
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, _ := aes.NewCipher(key)
	dst := make([]byte, aes.BlockSize)
	// ok: vibeward.go.encryption_at_rest.ecb-mode
	block.Encrypt(dst, src)
}

func assignedIV(key, padded []byte) ([]byte, error) {
	var err error
	// ruleid: vibeward.go.encryption_at_rest.aes-cipher
	block, _ := aes.NewCipher(key)
	iv := make([]byte, aes.BlockSize)
	_, err = rand.Read(iv)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(padded))
	// ok: vibeward.go.encryption_at_rest.cbc-static-iv
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, padded)
	return append(iv, out...), nil
}
