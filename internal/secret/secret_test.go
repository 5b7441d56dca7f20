package secret

import (
	"bytes"
	"testing"
)

func TestRoundTripAndRotation(t *testing.T) {
	old, err := Parse("k1:" + NewKey())
	if err != nil {
		t.Fatal(err)
	}
	ct := old.Encrypt("11010519491231002X")
	if bytes.Contains(ct, []byte("11010519491231002X")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	pt, err := old.Decrypt(ct)
	if err != nil || pt != "11010519491231002X" {
		t.Fatalf("decrypt: %q %v", pt, err)
	}
	if old.Encrypt("") != nil {
		t.Fatal("empty should encrypt to nil")
	}
	ct[len(ct)-1] ^= 1
	if _, err := old.Decrypt(ct); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
}

func TestRotationKeepsIndex(t *testing.T) {
	k1 := NewKey()
	k2 := NewKey()
	a, _ := Parse("k1:" + k1)
	b, err := Parse("k2:" + k2 + ",k1:" + k1)
	if err != nil {
		t.Fatal(err)
	}
	ct := a.Encrypt("13812345678")
	if pt, err := b.Decrypt(ct); err != nil || pt != "13812345678" {
		t.Fatalf("rotated ring cannot open old data: %q %v", pt, err)
	}
	if b.Current() != "k2" || KeyID(b.Encrypt("x")) != "k2" {
		t.Fatal("new key not used for encryption")
	}
	if a.Index("13812345678") != b.Index("13812345678") {
		t.Fatal("blind index changed on rotation")
	}
	c, _ := Parse("k3:" + NewKey())
	if _, err := c.Decrypt(ct); err == nil {
		t.Fatal("foreign key opened ciphertext")
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"", "k1:short", "k1:" + NewKey() + ",k1:" + NewKey(), "a.b:" + NewKey()} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreate("", dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreate("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := b.Decrypt(a.Encrypt("x")); err != nil || pt != "x" {
		t.Fatal("generated key not persisted")
	}
}

func TestSealOpenBindsAssociatedData(t *testing.T) {
	k, err := Parse("k1:" + NewKey())
	if err != nil {
		t.Fatal(err)
	}
	ct := k.Seal([]byte("sealed bid"), []byte("blob/0/2"))
	if pt, err := k.Open(ct, []byte("blob/0/2")); err != nil || string(pt) != "sealed bid" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := k.Open(ct, []byte("blob/1/2")); err == nil {
		t.Fatal("opened with another position")
	}
	if KeyID(ct) != "k1" {
		t.Fatalf("key id %q", KeyID(ct))
	}
	other, _ := Parse("k1:" + NewKey())
	if _, err := other.Open(ct, []byte("blob/0/2")); err == nil {
		t.Fatal("opened with another key of the same id")
	}
}
