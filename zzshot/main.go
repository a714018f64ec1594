package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/server"
	"github.com/arendevy/arendevy/e2e/bench/synth"
	"github.com/arendevy/arendevy/e2e/bench/timing"
	"github.com/arendevy/arendevy/e2e/browser"
)

func main() {
	ctx := context.Background()
	ps, _ := synth.Producers(1000, 10, time.Now())
	dir, _ := synth.Directory(ps)
	srv, err := server.New(server.Config{Sources: synth.Members(ps), Producers: dir})
	if err != nil {
		panic(err)
	}
	pr, pw, _ := os.Pipe()
	go srv.Serve(ctx, pw, 1)
	var ready server.Ready
	buf := make([]byte, 4096)
	n, _ := pr.Read(buf)
	_ = json.Unmarshal(buf[:n], &ready)
	b, err := browser.Start(ctx)
	if err != nil {
		panic(err)
	}
	tab, _ := b.NewTab(ctx)
	_ = timing.LogIn(ctx, tab, ready.URL, ready.Cookie)
	_ = tab.SetViewport(ctx, 1280, 800)
	_ = timing.Install(ctx, tab)
	for i := 0; i < 6; i++ {
		l, err := timing.Open(ctx, tab, ready.URL+server.PagePath+"?page-size=1000", 10*time.Second)
		split, _ := browser.Eval[string](ctx, tab, `(document.documentElement.dataset.split || "") + " json " + document.documentElement.dataset.json`)
		fmt.Printf("render %.1f longest %.1f tasks %v split %s err %v\n", l.Render(), l.LongestTask(), l.Tasks, split, err)
	}
}
