// Command docgen writes docs/benchmark-figures.md, the one table of benchmark figures the other docs link to, and
// docs/capacity.md, the capacity plan worked from those figures, from the JSON `go run ./bench` writes
// (bench-results.json). Figures are quoted nowhere else, so the docs cannot disagree with each other or with the
// last run.
//
//	go tool task bench:docs
//	go run ./bench/docgen -in bench-results.json -out docs/benchmark-figures.md -capacity docs/capacity.md [-note text]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	in := flag.String("in", "bench-results.json", "the JSON `go run ./bench` wrote")
	out := flag.String("out", "docs/benchmark-figures.md", "the generated Markdown file")
	capacity := flag.String("capacity", "docs/capacity.md", "the generated capacity plan (\"\": none)")
	note := flag.String("note", "", "a caveat printed under the header (e.g. where the figures come from)")
	flag.Parse()
	if err := run(*in, *out, *capacity, *note); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(in, out, capacity, note string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("%w (run `go tool task bench` first)", err)
	}
	f, err := Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	meta := Meta{Source: in, Generated: time.Now().UTC(), Note: note}
	if err := os.WriteFile(out, []byte(Render(f, meta)), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", out)
	if capacity == "" {
		return nil
	}
	plan, err := Capacity(f, meta)
	if err != nil { // a subset of the benchmarks: the plan keeps the inputs of the last full run
		fmt.Printf("left %s as it was: %v\n", capacity, err)
		return nil
	}
	if err := os.WriteFile(capacity, []byte(plan), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", capacity)
	return nil
}
