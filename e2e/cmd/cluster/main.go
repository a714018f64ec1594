// Command cluster runs the reference portal on real infrastructure on
// loopback: three instances behind HAProxy, sessions and the SAML replay
// cache in Redis with Sentinel (`make cluster`), and, with -faults, the
// bounded fault run (`make cluster-faults`), which prints its table and
// writes its report as JSON.
//
//	cluster [-instances 3] [-faults] [-json cluster-faults.json] [-keep]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/arendevy/arendevy/e2e/cluster"
)

func main() {
	instances := flag.Int("instances", 3, "how many portal instances")
	faults := flag.Bool("faults", false, "run the fault schedule, print the table and exit")
	jsonOut := flag.String("json", "cluster-faults.json", "with -faults: where the report goes")
	calm := flag.Duration("calm", 5*time.Second, "with -faults: how long to watch before and after each fault")
	keep := flag.Bool("keep", false, "keep the temporary directory (configuration, keys, logs)")
	flag.Parse()
	if err := run(*instances, *faults, *jsonOut, *calm, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(instances int, faults bool, jsonOut string, calm time.Duration, keep bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "arendevy-cluster-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("files and logs in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	fmt.Println("building the reference portal …")
	bin, err := cluster.BuildPortal(ctx, root, dir)
	if err != nil {
		return err
	}
	cfg := cluster.Config{Dir: dir, Binary: bin, Instances: instances, Sentinel: true, Balancer: true, Postgres: true}
	if faults {
		cfg.Sources = cluster.FaultSources
		cfg.NoLimits = true
	}
	fmt.Printf("starting Redis (primary, replica, 3 Sentinels), PostgreSQL, %d instances and HAProxy on loopback …\n", instances)
	c, err := cluster.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("stopping …")
		c.Stop()
	}()
	if !faults {
		fmt.Printf("\narendevy cluster: %s\n", c.URL)
		for _, p := range c.Portals {
			fmt.Printf("  %s  %s\n", p.Name, p.URL)
		}
		fmt.Println("Log in with the development IdP's demo personas, as with make run. Stop with Ctrl-C.")
		<-ctx.Done()
		return nil
	}
	rep, err := cluster.Run(ctx, c, cluster.RunConfig{Calm: calm, Progress: os.Stdout})
	fmt.Printf("\nMachine: %d cores (%s/%s), %d instances, %d clients.\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, rep.Instances, rep.Clients)
	fmt.Print(rep.Table())
	raw, jerr := json.MarshalIndent(rep, "", "  ")
	if jerr == nil {
		jerr = os.WriteFile(jsonOut, append(raw, '\n'), 0o644)
	}
	if err != nil {
		return err
	}
	return jerr
}
