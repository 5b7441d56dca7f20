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

// roundTripTracer, when set, is told every round trip to PostgreSQL that
// the package's Queriers make (a statement, a batch, a COMMIT); statements
// that libraries run on Tx.Driver are not counted.
var roundTripTracer atomic.Pointer[func()]

// TraceRoundTrips makes fn see every round trip to PostgreSQL from now
// on, until the returned function is called. For tests, like Trace.
func TraceRoundTrips(fn func()) (stop func()) {
	roundTripTracer.Store(&fn)
	return func() { roundTripTracer.Store(nil) }
}

func traceRoundTrip() {
	if fn := roundTripTracer.Load(); fn != nil {
		(*fn)()
	}
}
