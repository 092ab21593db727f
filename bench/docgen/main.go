// Command docgen writes docs/benchmark-figures.md, the one table of benchmark figures the other docs link to, from
// the JSON `go run ./bench` writes (bench-results.json). Figures are quoted nowhere else, so the docs cannot
// disagree with each other or with the last run.
//
//	go tool task bench:docs
//	go run ./bench/docgen -in bench-results.json -out docs/benchmark-figures.md [-note text]
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
	note := flag.String("note", "", "a caveat printed under the header (e.g. where the figures come from)")
	flag.Parse()
	if err := run(*in, *out, *note); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(in, out, note string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("%w (run `go tool task bench` first)", err)
	}
	f, err := Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	doc := Render(f, Meta{Source: in, Generated: time.Now().UTC(), Note: note})
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", out)
	return nil
}
