package db

import "sync/atomic"

// tracer, when set, is told every statement the package runs through a
// Querier (SQL text only). Tests use it to count the statements of a
// request (issue 17's intake budget); it costs one atomic load otherwise.
var tracer atomic.Pointer[func(query string)]

// Trace makes fn see every statement run through a Querier from now on,
// in every DB of the process, until the returned function is called.
// For tests: one tracer at a time.
func Trace(fn func(query string)) (stop func()) {
	tracer.Store(&fn)
	return func() { tracer.Store(nil) }
}

func traceStmt(query string) {
	if fn := tracer.Load(); fn != nil {
		(*fn)(query)
	}
}
