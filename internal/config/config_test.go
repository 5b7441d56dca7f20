package config

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

func load(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	resolve := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return resolve(func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || !c.SQLite() || c.UploadLimit != 20<<20 {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = load(t, []string{"--addr", "127.0.0.1:9000"}, map[string]string{"YINGSHANG_ADDR": ":7000", "YINGSHANG_DATA_DIR": "/srv/ys"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DataDir != "/srv/ys" || c.BaseURL != "http://localhost:9000" {
		t.Fatalf("precedence: %+v", c)
	}
}

func TestRefusals(t *testing.T) {
	if _, err := load(t, nil, map[string]string{"YINGSHANG_ENV": "production", "YINGSHANG_FAKE_NOW": "+1d", "YINGSHANG_ENCRYPTION_KEY": "x"}); err == nil || !strings.Contains(err.Error(), "FAKE_NOW") {
		t.Fatalf("fake clock in production: %v", err)
	}
	prod := map[string]string{"YINGSHANG_ENV": "production", "YINGSHANG_ENCRYPTION_KEY": "x"}
	if _, err := load(t, nil, prod); err == nil || !strings.Contains(err.Error(), "SMS_DRIVER") {
		t.Fatalf("log SMS driver in production: %v", err)
	}
	prod["YINGSHANG_SMS_DRIVER"], prod["YINGSHANG_SMS_HTTP_URL"] = "http", "https://sms.example.gov.cn/send"
	if c, err := load(t, nil, prod); err != nil || c.DrawCentreDept != "XC-JYZX" || c.MetricsToken != "" {
		t.Fatalf("production with the http SMS driver: %v %+v", err, c)
	}
	if _, err := load(t, nil, map[string]string{"YINGSHANG_ENV": "staging"}); err == nil {
		t.Fatal("unknown env accepted")
	}
	if _, err := load(t, []string{"--upload-limit", "-1"}, nil); err == nil {
		t.Fatal("negative upload limit accepted")
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	c, err := load(t, nil, map[string]string{"YINGSHANG_DATABASE_URL": "postgres://u:pw@db:5432/ys", "YINGSHANG_SMTP_PASSWORD": "hunter2"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Dump(&b, c)
	out := b.String()
	if strings.Contains(out, "hunter2") || strings.Contains(out, "pw@") {
		t.Fatalf("secret leaked:\n%s", out)
	}
	if !strings.Contains(out, "YINGSHANG_DATABASE_URL=postgres://****@db:5432/ys") {
		t.Fatalf("database url not masked as expected:\n%s", out)
	}
}

// TestDocsCurrent keeps docs/configuration.md in step with the table:
// run `go run ./cmd/yingshang config --markdown` to regenerate the table.
func TestDocsCurrent(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	Markdown(&want)
	if !strings.Contains(string(b), want.String()) {
		t.Fatal("docs/configuration.md is out of date: paste the output of `yingshang config --markdown` into it")
	}
}
