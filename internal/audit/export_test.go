package audit

// SetCrashAfter makes l's next Integrate calls fail after n events of the
// batch were written, as if the sequencer died mid-batch (0: never).
func SetCrashAfter(l *Log, n int) { l.crashAfter = n }
