package notify

// SetSendManyChunk sets the rows per multi-row INSERT of SendMany and
// returns the function that restores it.
func SetSendManyChunk(n int) (restore func()) {
	old := sendManyChunk
	sendManyChunk = n
	return func() { sendManyChunk = old }
}
