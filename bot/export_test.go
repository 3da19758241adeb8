package bot

// OrderKey is orderKey for the e2e tests, which store an input as a
// replica that received it would have.
var OrderKey = orderKey
