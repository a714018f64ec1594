package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/server"
)

// child is a bench server running in a process of its own: this same
// binary with the serve command.
type child struct {
	cmd   *exec.Cmd
	ready server.Ready
	done  chan error
}

// startChild starts `bench serve args…` and waits for its ready line.
func startChild(ctx context.Context, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: finding this program: %w", err)
	}
	cmd := exec.Command(self, append([]string{"serve"}, args...)...)
	cmd.Stderr = os.Stderr
	// The server goes when the orchestrator goes, however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: starting the server: %w", err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	lines := make(chan []byte, 1)
	go func() {
		r := bufio.NewReader(out)
		line, _ := r.ReadBytes('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	go func() { c.done <- cmd.Wait() }()

	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	select {
	case line := <-lines:
		if err := json.Unmarshal(line, &c.ready); err != nil || c.ready.URL == "" {
			_ = c.stop()
			return nil, fmt.Errorf("bench: the server did not say it was ready (%q)", line)
		}
		return c, nil
	case err := <-c.done:
		return nil, fmt.Errorf("bench: the server ended before it was ready: %w", err)
	case <-timeout.C:
		_ = c.stop()
		return nil, errors.New("bench: the server was not ready within a minute")
	case <-ctx.Done():
		_ = c.stop()
		return nil, ctx.Err()
	}
}

// stop asks the server to shut down and waits; after 15 s it is killed.
func (c *child) stop() error {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-c.done:
		return err
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("bench: server %d did not stop; killed", c.cmd.Process.Pid)
	}
}
