package auth

import (
	"context"
	"testing"

	"yingshang/internal/yserr"
)

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse 1")
	if !CheckPassword(h, "correct horse 1") {
		t.Fatal("right password refused")
	}
	if CheckPassword(h, "correct horse 2") || CheckPassword("", "x") || CheckPassword("$argon2id$bad", "x") {
		t.Fatal("wrong password accepted")
	}
	if HashPassword("a") == HashPassword("a") {
		t.Fatal("salt not random")
	}
	for pw, ok := range map[string]bool{"short1": false, "onlyletters": false, "1234567890": false, "abcde12345": true} {
		if (ValidatePassword(pw) == nil) != ok {
			t.Errorf("ValidatePassword(%q) ok=%v", pw, !ok)
		}
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	if _, err := Require(ctx); !yserr.Is(err, yserr.Unauthorized) {
		t.Fatalf("anonymous: %v", err)
	}
	staff := &Actor{UserID: 1, Roles: []Role{DeptStaff}, DepartmentID: 3, DeptScope: []int64{3, 4}}
	ctx = WithActor(ctx, staff)
	if _, err := Require(ctx, PlatformAdmin); !yserr.Is(err, yserr.Forbidden) {
		t.Fatalf("staff as admin: %v", err)
	}
	if _, err := Require(ctx, DeptStaff, DeptAdmin); err != nil {
		t.Fatal(err)
	}
	if !staff.InScope(4) || staff.InScope(5) || staff.InScope(0) {
		t.Fatal("department scope wrong")
	}
	if !System("scan").InScope(99) {
		t.Fatal("system actor must see everything")
	}
}
