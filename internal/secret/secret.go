// Package secret encrypts personal data (resident ID numbers, phone
// numbers) at rest with AES-256-GCM, and computes blind indexes (keyed
// HMAC-SHA256) so an encrypted value can still be looked up by equality.
//
// Keys are configured as "id:base64key" separated by commas; the first
// encrypts, all decrypt. Ciphertext starts with the key id, so rotation is:
// put the new key first, keep the old one after it, run
// `yingshang keys rotate` to re-encrypt, then remove the old key. The blind
// index key is derived from the last key in the list (the oldest), so that
// indexes stay valid while keys rotate; `keys rotate --reindex` recomputes
// them when the oldest key is finally dropped.
package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keyring holds the encryption keys.
type Keyring struct {
	ids     []string
	aeads   map[string]cipher.AEAD
	indexKy []byte
}

// Parse reads a key specification "id:base64,id2:base64".
func Parse(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	var last []byte
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, b64, ok := strings.Cut(part, ":")
		if !ok {
			id, b64 = "k1", part
		}
		if id == "" || strings.ContainsAny(id, ".:") || len(id) > 16 {
			return nil, fmt.Errorf("encryption key id %q: use 1-16 characters without '.' or ':'", id)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("encryption key %q must be 32 bytes in base64", id)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("encryption key id %q given twice", id)
		}
		block, _ := aes.NewCipher(raw)
		aead, _ := cipher.NewGCM(block)
		k.ids = append(k.ids, id)
		k.aeads[id] = aead
		last = raw
	}
	if len(k.ids) == 0 {
		return nil, errors.New("no encryption key given")
	}
	m := hmac.New(sha256.New, last)
	m.Write([]byte("yingshang blind index v1"))
	k.indexKy = m.Sum(nil)
	return k, nil
}

// LoadOrCreate returns the configured keyring, or (when spec is empty) the
// key stored in dataDir/secret.key, creating it on first use.
func LoadOrCreate(spec, dataDir string) (*Keyring, error) {
	if spec != "" {
		return Parse(spec)
	}
	path := filepath.Join(dataDir, "secret.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		spec = "k1:" + NewKey()
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(spec+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return Parse(spec)
	}
	if err != nil {
		return nil, err
	}
	return Parse(strings.TrimSpace(string(b)))
}

// NewKey returns a fresh random key in base64.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Current is the id of the key that encrypts.
func (k *Keyring) Current() string { return k.ids[0] }

// Encrypt seals plaintext; an empty string encrypts to nil.
func (k *Keyring) Encrypt(plaintext string) []byte {
	if plaintext == "" {
		return nil
	}
	id := k.ids[0]
	aead := k.aeads[id]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := append([]byte(id+"."), nonce...)
	return aead.Seal(out, nonce, []byte(plaintext), []byte(id))
}

// Decrypt opens a value sealed by Encrypt with any key of the ring.
func (k *Keyring) Decrypt(ct []byte) (string, error) {
	if len(ct) == 0 {
		return "", nil
	}
	id, rest, ok := strings.Cut(string(ct), ".")
	aead := k.aeads[id]
	if !ok || aead == nil {
		return "", fmt.Errorf("ciphertext key %q is not in the keyring", id)
	}
	body := []byte(rest)
	if len(body) < aead.NonceSize() {
		return "", errors.New("ciphertext too short")
	}
	pt, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", errors.New("ciphertext does not authenticate")
	}
	return string(pt), nil
}

// KeyID returns the key id a ciphertext was sealed with.
func KeyID(ct []byte) string {
	id, _, _ := strings.Cut(string(ct), ".")
	return id
}

// Index returns the blind index of a value (hex HMAC), "" for "".
func (k *Keyring) Index(value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.indexKy)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts binary plaintext with the current key, binding it to ad
// (associated data that Open must be given again, e.g. a file's address and
// the position of a chunk), so sealed pieces cannot be swapped or reordered.
// The output starts with the key id, like Encrypt's.
func (k *Keyring) Seal(plaintext, ad []byte) []byte {
	id := k.ids[0]
	aead := k.aeads[id]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := make([]byte, 0, len(id)+1+len(nonce)+len(plaintext)+aead.Overhead())
	out = append(append(append(out, id...), '.'), nonce...)
	return aead.Seal(out, nonce, plaintext, append([]byte(id+"."), ad...))
}

// Open decrypts a value sealed by Seal with the same associated data.
func (k *Keyring) Open(ct, ad []byte) ([]byte, error) {
	i := bytes.IndexByte(ct, '.')
	if i < 0 {
		return nil, errors.New("ciphertext has no key id")
	}
	id := string(ct[:i])
	aead := k.aeads[id]
	if aead == nil {
		return nil, fmt.Errorf("ciphertext key %q is not in the keyring", id)
	}
	body := ct[i+1:]
	if len(body) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	pt, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], append([]byte(id+"."), ad...))
	if err != nil {
		return nil, errors.New("ciphertext does not authenticate")
	}
	return pt, nil
}
