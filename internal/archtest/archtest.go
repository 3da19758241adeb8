// Package archtest holds tests of the code's shape that the compiler does
// not check: which layer may import which.
package archtest
