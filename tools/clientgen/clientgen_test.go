package clientgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// Pinned tool versions. Change them here, together, and run the test.
const (
	oapiCodegen        = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	oapiRuntime        = "github.com/oapi-codegen/runtime v1.9.0"
	npmOpenAPITS       = "openapi-typescript@7.13.0"
	npmOpenAPIFetch    = "openapi-fetch@0.17.0"
	npmTypeScript      = "typescript@5.9.3" // openapi-typescript 7 wants TypeScript 5
	npmRedoclyCLI      = "@redocly/cli@2.77.0"
	toolTimeout        = 10 * time.Minute
	appealTitle        = "客户端生成测试 / Generated client test"
	appealTopic        = "开办企业"
	wantTimelineAction = "submit"
)

// moduleTags are the tags operations may carry: one per module or
// platform area, so that generators group each module's operations.
var moduleTags = func() []string {
	tags := []string{"account", "audit", "calendar", "core", "entity", "notify"}
	for _, m := range modules.All {
		tags = append(tags, m.Name)
	}
	slices.Sort(tags)
	return tags
}()

func TestDocumentTags(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	for _, op := range env.Server.API.Ops() {
		if len(op.Tags) != 1 || !slices.Contains(moduleTags, op.Tags[0]) {
			t.Errorf("operation %s has tags %v, want exactly one of %v", op.ID, op.Tags, moduleTags)
		}
	}
	var doc struct {
		Tags []struct{ Name, Description string }
	}
	r := env.API(t, "", "GET", "/api/openapi.json", nil)
	r.JSON(t, &doc)
	if len(doc.Tags) < 10 {
		t.Errorf("document lists %d tags: %+v", len(doc.Tags), doc.Tags)
	}
	for _, tag := range doc.Tags {
		zh, en, ok := strings.Cut(tag.Description, " / ")
		if !ok || zh == "" || en == "" {
			t.Errorf("tag %s: description %q is not \"中文 / English\"", tag.Name, tag.Description)
		}
	}
}

// world is the test server and what the client programs need to call it.
type world struct {
	env   *sitetest.Env
	url   string
	token string // the enterprise user "ent", bound to sitetest.USCCA
	spec  string // path of openapi.json
}

// callResult is what both client programs print: what they read back.
type callResult struct {
	Entities []string `json:"entities"` // USCCs of the listed entities
	AppealID int64    `json:"appeal_id"`
	Number   string   `json:"number"`
	Timeline []string `json:"timeline"` // actions, oldest first
}

func TestClients(t *testing.T) {
	if os.Getenv("YINGSHANG_E2E") != "1" {
		t.Skip("client generation needs the Go module proxy and the npm registry; set YINGSHANG_E2E=1 (scripts/test.sh does)")
	}
	env := sitetest.New(t, db.SQLite)
	dir := t.TempDir()
	w := &world{env: env, url: env.HTTP.URL, token: env.Token(t, "ent"), spec: filepath.Join(dir, "openapi.json")}
	r := env.API(t, "", "GET", "/api/openapi.json", nil)
	if r.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.json: %d", r.StatusCode)
	}
	if err := os.WriteFile(w.spec, []byte(r.Body), 0o644); err != nil {
		t.Fatal(err)
	}

	// The one npm install runs while the Go client is generated and built.
	npmDir := filepath.Join(dir, "ts")
	npmDone := startNPMInstall(t, npmDir)

	t.Run("go", func(t *testing.T) { testGoClient(t, w, filepath.Join(dir, "go")) })
	if err := <-npmDone; err != nil {
		t.Fatal(err)
	}
	t.Run("typescript", func(t *testing.T) { testTSClient(t, w, npmDir) })
	t.Run("lint", func(t *testing.T) { lint(t, w, npmDir) })
}

// checkCalls checks what a client program printed against the server.
func checkCalls(t *testing.T, w *world, out []byte) {
	t.Helper()
	var res callResult
	if err := json.Unmarshal(lastLine(out), &res); err != nil {
		t.Fatalf("client output is not the expected JSON: %v\n%s", err, out)
	}
	if !slices.Equal(res.Entities, []string{sitetest.USCCA}) {
		t.Errorf("listed entities %v, want only the user's own %s", res.Entities, sitetest.USCCA)
	}
	if res.AppealID <= 0 || !strings.HasPrefix(res.Number, "YS-") {
		t.Errorf("created appeal %d %q", res.AppealID, res.Number)
	}
	if len(res.Timeline) == 0 || res.Timeline[0] != wantTimelineAction {
		t.Errorf("timeline %v, want it to start with %q", res.Timeline, wantTimelineAction)
	}
	// The appeal is really there, with what the client sent.
	var a struct {
		Title string `json:"title"`
		Topic string `json:"topic"`
	}
	r := w.env.API(t, w.token, "GET", fmt.Sprintf("/api/v1/appeals/%d", res.AppealID), nil)
	r.JSON(t, &a)
	if r.StatusCode != 200 || a.Title != appealTitle || a.Topic != appealTopic {
		t.Errorf("GET the created appeal: %d %s", r.StatusCode, r.Body)
	}
}

func lastLine(out []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return lines[len(lines)-1]
}

// run runs a command in dir and returns its standard output; on failure
// it stops the test with the output and why, naming what it needed.
func run(t *testing.T, dir, why string, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s: %s %s (%s)", why, name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("%s failed: %s %s: %v\nstdout:\n%s\nstderr:\n%s", why, name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ---- Go --------------------------------------------------------------------

// goEnv keeps the temporary module apart from this one.
var goEnv = []string{"GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0"}

func testGoClient(t *testing.T, w *world, dir string) {
	writeFiles(t, dir, map[string]string{
		"go.mod":  "module ysclient\n\ngo 1.24\n\nrequire " + oapiRuntime + "\n",
		"main.go": goProgram,
	})
	if err := os.MkdirAll(filepath.Join(dir, "ys"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "generating the Go client with oapi-codegen (needs the Go module proxy)", goEnv,
		"go", "run", oapiCodegen, "-generate", "types,client", "-package", "ys", "-o", filepath.Join("ys", "client.go"), w.spec)
	run(t, dir, "resolving the generated client's dependencies (needs the Go module proxy)", goEnv, "go", "mod", "tidy")
	run(t, dir, "building the generated Go client and the program using it", goEnv, "go", "build", "-o", "client", ".")
	out := run(t, dir, "calling the test server with the Go client", nil, filepath.Join(dir, "client"), w.url, w.token)
	checkCalls(t, w, out)
}

// goProgram uses the generated client: list entities, submit an appeal,
// read its timeline, and print what came back as one line of JSON.
const goProgram = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"ysclient/ys"
)

func main() {
	base, token := os.Args[1], os.Args[2]
	ctx := context.Background()
	bearer := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
	c, err := ys.NewClientWithResponses(base, ys.WithRequestEditorFn(bearer))
	check(err)

	ents, err := c.ListEntitiesWithResponse(ctx, &ys.ListEntitiesParams{})
	check(err)
	if ents.JSON200 == nil {
		fail("listEntities", ents.StatusCode(), ents.Body)
	}
	var out struct {
		Entities []string ` + "`json:\"entities\"`" + `
		AppealID int64    ` + "`json:\"appeal_id\"`" + `
		Number   string   ` + "`json:\"number\"`" + `
		Timeline []string ` + "`json:\"timeline\"`" + `
	}
	for _, e := range ents.JSON200.Items {
		out.Entities = append(out.Entities, e.Uscc)
	}

	created, err := c.CreateAppealWithResponse(ctx, ys.CreateAppealJSONRequestBody{
		Kind: ys.AppealInputKindHelp, Topic: "` + appealTopic + `", Title: "` + appealTitle + `",
		Description: "请问设立分公司需要哪些材料？ / Which documents does a branch office need?", Publishable: false,
	})
	check(err)
	if created.JSON201 == nil {
		fail("createAppeal", created.StatusCode(), created.Body)
	}
	out.AppealID, out.Number = created.JSON201.Id, created.JSON201.Number

	tl, err := c.GetAppealTimelineWithResponse(ctx, out.AppealID)
	check(err)
	if tl.JSON200 == nil {
		fail("getAppealTimeline", tl.StatusCode(), tl.Body)
	}
	for _, e := range *tl.JSON200 {
		out.Timeline = append(out.Timeline, e.Action)
	}
	check(json.NewEncoder(os.Stdout).Encode(out))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func fail(op string, status int, body []byte) {
	fmt.Fprintf(os.Stderr, "%s: status %d: %s\n", op, status, body)
	os.Exit(1)
}
`

// ---- TypeScript ------------------------------------------------------------

// startNPMInstall installs the pinned npm packages into dir in the
// background; the channel yields the outcome. Downloads are cached under
// the system temporary directory, so later runs install from the cache.
func startNPMInstall(t *testing.T, dir string) <-chan error {
	t.Helper()
	writeFiles(t, dir, map[string]string{"package.json": `{"private": true, "type": "module"}` + "\n"})
	done := make(chan error, 1)
	npm, err := exec.LookPath("npm")
	if err != nil {
		done <- fmt.Errorf("npm not found: the TypeScript client test needs Node.js 20+ and npm (scripts/test.sh installs them): %v", err)
		return done
	}
	if v, err := exec.Command("node", "--version").Output(); err != nil || !nodeAtLeast20(string(v)) {
		done <- fmt.Errorf("the TypeScript client test needs Node.js 20 or newer, found %q (%v)", strings.TrimSpace(string(v)), err)
		return done
	}
	cache := filepath.Join(os.TempDir(), "yingshang-clientgen-npm-cache")
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error",
		"--cache", cache, "--save-exact", npmOpenAPITS, npmOpenAPIFetch, npmTypeScript, npmRedoclyCLI)
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		done <- fmt.Errorf("npm install: %v", err)
		return done
	}
	go func() {
		defer cancel()
		err := cmd.Wait()
		if err != nil {
			err = fmt.Errorf("npm install of %s, %s, %s and %s failed (needs the npm registry; cache %s): %v\n%s",
				npmOpenAPITS, npmOpenAPIFetch, npmTypeScript, npmRedoclyCLI, cache, err, output.Bytes())
		} else {
			t.Logf("npm install: %s", time.Since(start).Round(time.Millisecond))
		}
		done <- err
	}()
	return done
}

// nodeAtLeast20 reports whether `node --version` printed v20 or newer.
func nodeAtLeast20(version string) bool {
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(version), "v"), ".")
	n, err := strconv.Atoi(major)
	return err == nil && n >= 20
}

func testTSClient(t *testing.T, w *world, dir string) {
	writeFiles(t, dir, map[string]string{"tsconfig.json": tsConfig, "client.ts": tsProgram})
	run(t, dir, "generating TypeScript types with openapi-typescript", nil,
		filepath.Join(dir, "node_modules", ".bin", "openapi-typescript"), w.spec, "-o", "schema.d.ts")
	run(t, dir, "type-checking and compiling the TypeScript client with tsc", nil,
		filepath.Join(dir, "node_modules", ".bin", "tsc"), "-p", "tsconfig.json")
	out := run(t, dir, "calling the test server with the TypeScript client", nil, "node", filepath.Join("out", "client.js"), w.url, w.token)
	checkCalls(t, w, out)
}

// tsConfig type-checks strictly, the generated schema.d.ts included
// (skipLibCheck would skip it).
const tsConfig = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "outDir": "out"
  },
  "files": ["client.ts", "schema.d.ts"]
}
`

// tsProgram makes the same three calls as goProgram with openapi-fetch.
const tsProgram = `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// The few Node.js globals used, so that no @types/node is needed.
declare const process: { argv: string[]; exitCode?: number };

const [base, token] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl: base, headers: { Authorization: "Bearer " + token } });

function fail(op: string, response: Response, error: unknown): never {
  throw new Error(op + ": status " + response.status + ": " + JSON.stringify(error));
}

const ents = await client.GET("/api/v1/entities", { params: { query: {} } });
if (!ents.data) fail("listEntities", ents.response, ents.error);

const created = await client.POST("/api/v1/appeals", {
  body: {
    kind: "help",
    topic: "` + appealTopic + `",
    title: "` + appealTitle + `",
    description: "请问设立分公司需要哪些材料？ / Which documents does a branch office need?",
    publishable: false,
  },
});
if (!created.data) fail("createAppeal", created.response, created.error);

const tl = await client.GET("/api/v1/appeals/{id}/timeline", { params: { path: { id: created.data.id } } });
if (!tl.data) fail("getAppealTimeline", tl.response, tl.error);

const out: { entities: string[]; appeal_id: number; number: string; timeline: string[] } = {
  entities: ents.data.items.map((e) => e.uscc),
  appeal_id: created.data.id,
  number: created.data.number,
  timeline: tl.data.map((e) => e.action),
};
console.log(JSON.stringify(out));
`

// ---- Lint --------------------------------------------------------------------

// lint runs Redocly CLI's recommended rules; any error fails the test,
// warnings are logged.
func lint(t *testing.T, w *world, dir string) {
	out := run(t, dir, "linting the document with Redocly CLI", []string{"REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true"},
		filepath.Join(dir, "node_modules", ".bin", "redocly"), "lint", "--format=stylish", w.spec)
	t.Logf("redocly lint:\n%s", out)
}
