// Package arch holds the architecture tests of the code base: every table has
// one owning package and only that package's SQL names it
// (ownership_test.go), and dependencies point one way, handlers -> services ->
// storage (imports_test.go). The package has no code of its own.
package arch
