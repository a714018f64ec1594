package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/faults"
	"github.com/arendevy/arendevy/e2e/bench/server"
	"github.com/arendevy/arendevy/e2e/bench/synth"
)

// Scenarios the serve command knows.
const (
	scenarioSteady = "steady" // n cases from producers in memory
	scenarioFaults = "faults" // faults.Standard(): hub-like producers over mutual TLS
)

// serve is the server process: `bench serve -scenario steady -cases 100`.
// It prints one JSON line (server.Ready) when it accepts requests and
// serves until interrupted.
func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", scenarioSteady, "steady or faults")
	n := fs.Int("cases", 100, "steady: cases in the overview")
	producers := fs.Int("producers", 10, "steady: producers the cases come from, one fan-out member each")
	deadline := fs.Duration("deadline", 0, "the overview's deadline; 0: the kit's default")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile from start to stop to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "bench serve:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "bench serve:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := server.Config{Deadline: *deadline}
	switch *scenario {
	case scenarioSteady:
		ps, err := synth.Producers(*n, *producers, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "bench serve:", err)
			return 2
		}
		if cfg.Producers, err = synth.Directory(ps); err != nil {
			fmt.Fprintln(stderr, "bench serve:", err)
			return 1
		}
		cfg.Sources = synth.Members(ps)
	case scenarioFaults:
		plan := faultPlan(*deadline)
		farm, err := faults.Start(plan, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "bench serve:", err)
			return 1
		}
		defer farm.Close()
		cfg.Sources, cfg.Producers, cfg.Deadline = farm.Members(), farm.Directory(), plan.Deadline
	default:
		fmt.Fprintf(stderr, "bench serve: unknown scenario %q\n", *scenario)
		return 2
	}
	srv, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "bench serve:", err)
		return 1
	}
	if err := srv.Serve(ctx, stdout, os.Getpid()); err != nil {
		fmt.Fprintln(stderr, "bench serve:", err)
		return 1
	}
	return 0
}

// faultPlan is faults.Standard() with the deadline, when one is given.
func faultPlan(deadline time.Duration) faults.Plan {
	p := faults.Standard()
	if deadline > 0 {
		p.Deadline = deadline
	}
	return p
}
