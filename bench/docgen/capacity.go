package main

import (
	_ "embed"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// The capacity plan's assumptions: what it is sized for and on what nodes. They are choices, not measurements, and
// the template says so where it uses them.
const (
	targetEvents     = 1e6 // events per second, sustained (the brief)
	replication      = 3   // replicas per datacenter
	nodeCores        = 16  // cores of a Cassandra node
	nodeCPUShare     = 0.6 // of them kept for writes (compaction, repair and reads need the rest)
	ttlDays          = 730 // the shipped playback TTL: two years
	freeSpace        = 1.2 // disk bought per byte stored (20 % free space)
	smallNodeBytes   = 4e12
	denseNodeBytes   = 10e12
	historyTarget    = 100e15 // the brief's path to 100 PB
	usersAtScale     = 100e6
	catalogAtScale   = 1e6
	sampleUsers      = 100_000 // the per-user graph figure is given per this many users
	watchedPerUser   = 10      // ... each watching this many titles
	heavyWatchedUser = 100
	largeMemory      = 1e12 // the most page cache one machine is assumed to hold
)

// capacityInputs are the entries the plan reads.
var capacityInputs = []string{"ingest_cassandra", "ingest_cassandra_3nodes", "ingest_frontend",
	"cassandra_bytes_per_event", "search_bytes_per_document", "graph_bytes_per_relationship"}

//go:embed capacity.md.tmpl
var capacityTemplate string

var capacityTmpl = template.Must(template.New("capacity").Parse(capacityTemplate))

// Capacity is the Markdown of docs/capacity.md: the brief's targets worked through from the run's measured inputs,
// every derived figure computed here, so the plan always agrees with benchmark-figures.md. It fails, naming them,
// when the run lacks one of capacityInputs (a BENCH= subset): the plan is then left as it was.
func Capacity(f File, m Meta) (string, error) {
	in := map[string]Result{}
	var missing []string
	for _, name := range capacityInputs {
		i := slices.IndexFunc(f.Results, func(r Result) bool { return r.Name == name })
		if i < 0 {
			missing = append(missing, name)
			continue
		}
		in[name] = f.Results[i]
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("the run lacks %s", strings.Join(missing, ", "))
	}
	cores, err := coresOf(in["ingest_cassandra"].Conditions)
	if err != nil {
		return "", err
	}
	single, three, front := in["ingest_cassandra"], in["ingest_cassandra_3nodes"], in["ingest_frontend"]
	perEvent, perDoc, perRel := in["cassandra_bytes_per_event"].Value, in["search_bytes_per_document"].Value,
		in["graph_bytes_per_relationship"].Value

	replicaWrites := targetEvents * replication
	nodeShare := nodeCores * nodeCPUShare
	singlePerCore := single.Baseline / cores
	threeWrites := replication * three.Baseline
	threePerCore := threeWrites / cores
	singleNodes := math.Ceil(replicaWrites / singlePerCore / nodeShare)
	threeNodes := math.Ceil(replicaWrites / threePerCore / nodeShare)
	perDayReplica := targetEvents * 86400 * perEvent
	perDay := perDayReplica * replication
	levelled := ttlDays * perDay
	bought := levelled * freeSpace
	smallNodes, denseNodes := bought/smallNodeBytes, bought/denseNodeBytes
	historyDays := historyTarget / perDay
	graphSample := sampleUsers * watchedPerUser * perRel
	graphAtScale := graphSample * usersAtScale / sampleUsers
	graphHeavy := graphAtScale * heavyWatchedUser / watchedPerUser

	data := map[string]any{
		"Source":   filepath.Base(m.Source),
		"Run":      runDate(f),
		"Cores":    number(cores),
		"Single":   number(single.Baseline),
		"SingleUs": number(single.Value),
		"Three":    number(three.Baseline),
		"ThreeUs":  number(three.Value),
		"Front":    number(front.Value),
		"PerEvent": number(perEvent), "PerDoc": number(perDoc), "PerRel": number(perRel),

		"ReplicaWrites":  millions(replicaWrites),
		"NodeCores":      nodeCores,
		"NodeShare":      percent(nodeCPUShare),
		"NodeShareCores": number(nodeShare),
		"SinglePerCore":  number(sig(singlePerCore, 3)),
		"SingleCores":    number(sig(replicaWrites/singlePerCore, 3)),
		"SingleNodes":    number(singleNodes),
		"ThreeWrites":    number(threeWrites),
		"ThreePerCore":   number(sig(threePerCore, 3)),
		"ThreeCores":     number(sig(replicaWrites/threePerCore, 3)),
		"ThreeNodes":     number(threeNodes),
		"Spread":         fmt.Sprintf("%.1f", threeNodes/singleNodes),
		"FrontShare":     fmt.Sprintf("%.1fM", front.Value/1e6),
		"SingleRatio":    percent(single.Value / single.Baseline),
		"ThreeRatio":     percent(three.Value / three.Baseline),

		"EventsPerDay":  fmt.Sprintf("%.1f billion", targetEvents*86400/1e9),
		"PerDayReplica": bytesText(perDayReplica),
		"PerDay":        bytesText(perDay),
		"TTLDays":       ttlDays,
		"Levelled":      bytesText(levelled),
		"Bought":        bytesText(bought),
		"SmallNode":     bytesText(smallNodeBytes),
		"DenseNode":     bytesText(denseNodeBytes),
		"SmallNodes":    number(sig(smallNodes, 2)),
		"DenseNodes":    number(sig(denseNodes, 2)),
		"PerYear":       bytesText(365 * perDay),
		"HistoryDays":   number(sig(historyDays, 3)),
		"HistoryYears":  fmt.Sprintf("%.0f", historyDays/365),
		"HistoryYears2": fmt.Sprintf("%.0f", historyDays/365/2),
		"HistoryNodes":  number(historyTarget / smallNodeBytes),

		"Catalog":        bytesText(catalogAtScale * perDoc),
		"GraphSample":    bytesText(graphSample),
		"GraphAtScale":   bytesText(graphAtScale),
		"GraphFits":      graphAtScale <= largeMemory,
		"GraphHeavy":     bytesText(graphHeavy),
		"GraphHeavyFits": graphHeavy <= largeMemory,
		"LargeMemory":    bytesText(largeMemory),
	}
	var b strings.Builder
	if err := capacityTmpl.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

func runDate(f File) string {
	if f.FinishedAt.IsZero() {
		return "of unknown date"
	}
	return "of " + f.FinishedAt.UTC().Format("2006-01-02")
}

var coresRE = regexp.MustCompile(`(\d+) cores, GOMAXPROCS=`)

// coresOf reads the machine's cores from an entry's conditions (bench's machine()), so per-core rates divide by
// what the run really had.
func coresOf(conditions string) (float64, error) {
	m := coresRE.FindStringSubmatch(conditions)
	if m == nil {
		return 0, fmt.Errorf("ingest_cassandra's conditions do not say how many cores the machine had")
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("ingest_cassandra's conditions: %q cores", m[1])
	}
	return float64(n), nil
}

// sig rounds v to n significant digits.
func sig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

func percent(v float64) string { return fmt.Sprintf("%.0f %%", v*100) }

func millions(v float64) string { return fmt.Sprintf("%gM", v/1e6) }

// bytesText is v bytes in decimal units with three significant digits at most (1.2 TB, 655 GB).
func bytesText(v float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for math.Abs(v) >= 999.5 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(sig(v, 3), 'f', -1, 64) + " " + units[i]
}
