package license

// SetScanBatchSize sets how many licences one scan transaction handles (on
// both engines) and returns a function that restores the previous sizes.
func SetScanBatchSize(n int) (restore func()) {
	old, oldPG := scanBatchSize, scanBatchSizePG
	scanBatchSize, scanBatchSizePG = n, n
	return func() { scanBatchSize, scanBatchSizePG = old, oldPG }
}

// SetScanFastPath turns the PostgreSQL batch of the scan on or off (off:
// the statement-by-statement batch SQLite runs) and returns a function
// that restores the previous setting.
func SetScanFastPath(on bool) (restore func()) {
	old := scanFastPath
	scanFastPath = on
	return func() { scanFastPath = old }
}

// SetScanWorkers sets how many batches of a PostgreSQL scan run at once
// and returns a function that restores the previous number.
func SetScanWorkers(n int) (restore func()) {
	old := scanWorkers
	scanWorkers = n
	return func() { scanWorkers = old }
}
