package main

// The service's version and greeting (the cache test edits this file).
const version = "1.0.0"

func greeting(name string) string {
	if name == "" {
		name = "world"
	}
	return "hello, " + name
}
