// Package clientgen proves that the OpenAPI document at /api/openapi.json
// generates working clients. Its tests start a test server, write the
// document to a temporary directory and then, with widely used tools at
// pinned versions:
//
//   - generate a Go client with oapi-codegen (run with `go run pkg@version`,
//     so it never enters this module's go.mod), build it in a temporary
//     module of its own and run a program that lists entities, submits an
//     appeal and reads its timeline against the test server;
//   - generate TypeScript types with openapi-typescript, type-check a
//     program using openapi-fetch with tsc and run the same three calls
//     with node;
//   - lint the document with Redocly CLI and fail on any error.
//
// The tools are downloaded from the Go module proxy and the npm registry,
// so these tests need both; they run when YINGSHANG_E2E=1 (scripts/test.sh
// sets it) and are skipped otherwise. npm downloads are cached under the
// system temporary directory between runs.
//
// TestDocumentTags needs no network and always runs: every operation is
// tagged with its module and every tag is described.
package clientgen
