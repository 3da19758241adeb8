package mail

import (
	"bytes"
	"io"
	"os"
	"testing"
)

func readCorpus(b *testing.B) ([][]byte, int64) {
	var all [][]byte
	var size int64
	for _, path := range corpusFiles(b) {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, raw)
		size += int64(len(raw))
	}
	return all, size
}

// BenchmarkParseCorpus parses every corpus file per iteration.
func BenchmarkParseCorpus(b *testing.B) {
	all, size := readCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range all {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadOnly is the baseline: reading the same bytes through a
// bytes.Reader, i.e. the cost Parse cannot go below.
func BenchmarkReadOnly(b *testing.B) {
	all, size := readCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range all {
			if _, err := io.Copy(io.Discard, bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
