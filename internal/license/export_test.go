package license

// SetScanBatchSize sets how many licences one scan transaction handles and
// returns a function that restores the previous size.
func SetScanBatchSize(n int) (restore func()) {
	old := scanBatchSize
	scanBatchSize = n
	return func() { scanBatchSize = old }
}
