package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// worldName names the isolated JavaScript world in which the harness runs
// its own scripts; bindingName is the function through which the CSP probe
// in that world reports to Go.
const (
	worldName   = "arendevy-e2e"
	bindingName = "__arendevyReport"
)

// cspProbe runs in the isolated world of every new document, before the
// page's own scripts, and forwards each securitypolicyviolation event.
// securitypolicyviolation is composed, so one capturing listener on the
// document sees violations inside shadow roots too.
const cspProbe = `document.addEventListener("securitypolicyviolation", (e) => {
  ` + bindingName + `(JSON.stringify({
    directive: e.effectiveDirective, blockedURI: e.blockedURI, documentURI: e.documentURI,
    sourceFile: e.sourceFile, line: e.lineNumber, disposition: e.disposition, sample: e.sample,
  }));
}, true);`

// worldRef names an execution context: unique is safe across processes,
// id is what DOM.resolveNode needs.
type worldRef struct {
	id     runtime.ExecutionContextID
	unique string
}

// Tab is one page of a [Browser], with its own cookie jar. A Tab is not safe
// for concurrent use: its actions share one page.
type Tab struct {
	ctx     context.Context // the chromedp context of this page
	cancel  context.CancelFunc
	frame   cdp.FrameID
	browser *Browser
	media   []string // names of the emulated media features

	mu       sync.Mutex
	world    worldRef // the isolated world of the current document
	console  []ConsoleError
	csp      []CSPViolation
	inflight map[network.RequestID]request
	lastNet  time.Time
}

// request is a request in flight: its URL, for errors, and the document
// that made it.
type request struct {
	url    string
	frame  cdp.FrameID
	loader cdp.LoaderID
}

// NewTab opens a page in a fresh browser context (its own cookies and
// storage). ctx bounds the opening only.
func (b *Browser) NewTab(ctx context.Context) (*Tab, error) {
	t := &Tab{browser: b, inflight: map[network.RequestID]request{}, lastNet: time.Now()}
	tctx, cancel := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(t.observe),
	)
	t.ctx, t.cancel = tctx, cancel

	stop := context.AfterFunc(ctx, cancel)
	err := chromedp.Do(tctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			if _, err := cdp.Call(ctx, target, runtime.AddBinding, runtime.AddBindingParams{
				Name: bindingName, ExecutionContextName: worldName,
			}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe, WorldName: worldName}); err != nil {
				return err
			}
			// Every tab behaves as the focused window, so focus, :focus-visible
			// and focus events work in tabs that run side by side.
			_, err := cdp.Call(ctx, target, emulation.SetFocusEmulationEnabled,
				emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		}),
	)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("browser: opening a tab: %w", err)
	}
	// Chromium names a page's main frame after its target.
	t.frame = cdp.FrameID(chromedp.FromContext(tctx).Target.TargetID)
	return t, nil
}

// Close closes the page and its browser context.
func (t *Tab) Close() error {
	err := chromedp.Cancel(t.ctx)
	t.cancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("browser: closing a tab: %w", err)
	}
	return nil
}

// Context is the chromedp context of the page, for chromedp functions that
// [Run] and [Do] do not cover. It is cancelled by [Tab.Close].
func (t *Tab) Context() context.Context { return t.ctx }

// bound derives a context for one action on the page: it carries the page
// (a chromedp context) and ends when ctx ends.
func (t *Tab) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(t.ctx)
	if deadline, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		c, cancelDeadline = context.WithDeadline(c, deadline)
		prev := cancel
		cancel = func() { cancelDeadline(); prev() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}

// Run runs one chromedp action on the tab, bounded by ctx.
func Run[T any](ctx context.Context, t *Tab, a chromedp.Action[T]) (T, error) {
	c, cancel := t.bound(ctx)
	defer cancel()
	return chromedp.Run(c, a)
}

// Do runs chromedp actions on the tab in order, bounded by ctx.
func Do(ctx context.Context, t *Tab, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := t.bound(ctx)
	defer cancel()
	return chromedp.Do(c, steps...)
}

// Navigate loads url, waits for its load event and returns the HTTP status
// of the document. It starts a new page for [Tab.Diagnostics].
func (t *Tab) Navigate(ctx context.Context, address string) (int, error) {
	t.mu.Lock()
	t.console, t.csp = nil, nil
	t.mu.Unlock()
	resp, err := Run(ctx, t, chromedp.NavigateResponse(address))
	if err != nil {
		return 0, fmt.Errorf("browser: navigating: %w", err)
	}
	if resp == nil {
		return 0, nil // not an HTTP document (about:, data:)
	}
	return int(resp.Status), nil
}

// WaitLoad runs trigger (a click, a form submission) and waits for the load
// event of the page it leads to.
func (t *Tab) WaitLoad(ctx context.Context, trigger func() error) error {
	c, cancel := t.bound(ctx)
	defer cancel()
	loads := chromedp.Events(c, page.LoadEventFired) // subscribed before the trigger, so no event is missed
	if err := trigger(); err != nil {
		return err
	}
	for _, err := range loads {
		if err != nil {
			return fmt.Errorf("browser: waiting for the page to load: %w", err)
		}
		return nil
	}
	return fmt.Errorf("browser: waiting for the page to load: %w", c.Err())
}

// WaitIdle waits until the page has had no network request in flight for
// quiet, so content that scripts fetch after the load event is there.
// Long-lived streams (EventSource, WebSocket) do not count.
func (t *Tab) WaitIdle(ctx context.Context, quiet time.Duration) error {
	tick := time.NewTicker(quiet / 5)
	defer tick.Stop()
	for {
		t.mu.Lock()
		idle := len(t.inflight) == 0 && time.Since(t.lastNet) >= quiet
		t.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("browser: waiting for the network to be idle%s: %w", t.inFlight(), ctx.Err())
		case <-t.ctx.Done():
			return fmt.Errorf("browser: waiting for the network to be idle%s: %w", t.inFlight(), t.ctx.Err())
		case <-tick.C:
		}
	}
}

// inFlight names the requests still in flight, for an error that says what
// the wait was for.
func (t *Tab) inFlight() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.inflight) == 0 {
		return ""
	}
	var urls []string
	for _, r := range t.inflight {
		urls = append(urls, r.url)
	}
	slices.Sort(urls)
	return fmt.Sprintf(" (%d in flight: %s)", len(urls), strings.Join(urls, ", "))
}

// SetViewport sets the layout viewport in CSS pixels (device scale 1), for
// example 320 wide for the reflow criterion.
func (t *Tab) SetViewport(ctx context.Context, width, height int) error {
	if err := Do(ctx, t, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		return fmt.Errorf("browser: setting the viewport: %w", err)
	}
	return nil
}

// DisableScripts stops the page's scripts from running, as a browser with
// JavaScript off: the page is what its HTML and CSS make it. Evaluations
// through the tab still run.
func (t *Tab) DisableScripts(ctx context.Context) error {
	_, err := Run(ctx, t, func(ctx context.Context, target *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	})
	if err != nil {
		return fmt.Errorf("browser: disabling scripts: %w", err)
	}
	return nil
}

// MediaFeature is a CSS media feature to emulate.
type MediaFeature = emulation.MediaFeature

// Media features that the accessibility checks emulate.
var (
	ForcedColors  = MediaFeature{Name: "forced-colors", Value: "active"}
	ReducedMotion = MediaFeature{Name: "prefers-reduced-motion", Value: "reduce"}
)

// EmulateMedia replaces the emulated media features; with none it restores
// the browser's own. Chromium really renders forced colours when
// forced-colors is active, as Windows High Contrast would.
func (t *Tab) EmulateMedia(ctx context.Context, features ...MediaFeature) error {
	fs := make([]*emulation.MediaFeature, 0, len(features)+len(t.media))
	set := map[string]bool{}
	for _, f := range features {
		fs = append(fs, &f)
		set[f.Name] = true
	}
	// The browser keeps a feature until it is sent again with no value.
	for _, name := range t.media {
		if !set[name] {
			fs = append(fs, &emulation.MediaFeature{Name: name})
		}
	}
	_, err := Run(ctx, t, func(ctx context.Context, target *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: fs})
	})
	if err != nil {
		return fmt.Errorf("browser: emulating media: %w", err)
	}
	t.media = t.media[:0]
	for _, f := range features {
		t.media = append(t.media, f.Name)
	}
	return nil
}

// Screenshot returns a PNG of the viewport, or of the whole page when
// fullPage is set.
func (t *Tab) Screenshot(ctx context.Context, fullPage bool) ([]byte, error) {
	png, err := Run(ctx, t, func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, target, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			FromSurface:           new(true),
			CaptureBeyondViewport: new(fullPage),
		})
		return res.Data, err
	})
	if err != nil {
		return nil, fmt.Errorf("browser: screenshot: %w", err)
	}
	return png, nil
}

// Eval evaluates a JavaScript expression in the harness's isolated world of
// the page (see the package doc), awaits a promise result, and decodes the
// JSON value into T.
func Eval[T any](ctx context.Context, t *Tab, expression string) (T, error) {
	var zero T
	raw, err := t.evalWorld(ctx, expression)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("browser: decoding the result: %w", err)
	}
	return v, nil
}

// Call calls a JavaScript function expression with JSON-encoded args in the
// isolated world, like [Eval]: Call[int](ctx, tab, `(a, b) => a + b`, 1, 2).
func Call[T any](ctx context.Context, t *Tab, function string, args ...any) (T, error) {
	var zero T
	if args == nil {
		args = []any{} // spreads as no arguments; nil would encode as null
	}
	encoded, err := json.Marshal(args)
	if err != nil {
		return zero, fmt.Errorf("browser: encoding the arguments: %w", err)
	}
	return Eval[T](ctx, t, "("+function+")(..."+string(encoded)+")")
}

// resultJSON is what a script evaluated over the protocol gave back: its
// value as JSON ("null" for undefined), or what it threw.
func resultJSON(result *runtime.RemoteObject, thrown *runtime.ExceptionDetails) ([]byte, error) {
	if thrown != nil {
		return nil, &chromedp.ExceptionError{ExceptionDetails: thrown}
	}
	if result == nil || len(result.Value) == 0 {
		return []byte("null"), nil
	}
	return result.Value, nil
}

// evalWorld runs expression in the isolated world and returns the result as
// JSON ("null" for undefined).
func (t *Tab) evalWorld(ctx context.Context, expression string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		raw, err := Run(ctx, t, func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
			world, err := t.worldOf(ctx, target)
			if err != nil {
				return nil, err
			}
			res, err := cdp.Call(ctx, target, runtime.Evaluate, runtime.EvaluateParams{
				Expression:      expression,
				ReturnByValue:   new(true),
				AwaitPromise:    new(true),
				UniqueContextID: world.unique,
				ContextID:       world.idIfNoUnique(),
			})
			if err != nil {
				return nil, err
			}
			return resultJSON(res.Result, res.ExceptionDetails)
		})
		// A navigation can destroy the world between the lookup and the
		// evaluation, before any of the script ran; the next attempt finds
		// the new document's world.
		if err != nil && attempt == 0 && isStaleContext(err) {
			t.mu.Lock()
			t.world = worldRef{}
			t.mu.Unlock()
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("browser: evaluating: %w", err)
		}
		return raw, nil
	}
}

// isStaleContext tells the protocol errors for an execution context that no
// longer exists, by id or by unique id.
func isStaleContext(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "uniqueContextId not found") ||
		strings.Contains(msg, "Cannot find context with specified id")
}

// worldOf returns the isolated world of the current document, creating it
// when the document has none yet (about:blank, or a document the probe
// script did not reach).
func (t *Tab) worldOf(ctx context.Context, target *chromedp.Target) (worldRef, error) {
	t.mu.Lock()
	world := t.world
	t.mu.Unlock()
	if world.id != 0 {
		return world, nil
	}
	res, err := cdp.Call(ctx, target, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
		FrameID: t.frame, WorldName: worldName,
	})
	if err != nil {
		return worldRef{}, fmt.Errorf("creating the isolated world: %w", err)
	}
	// The creation event usually arrived before the reply and filled in the
	// unique id; if not, the fresh numeric id is still the right context.
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.world.id == res.ExecutionContextID {
		return t.world, nil
	}
	return worldRef{id: res.ExecutionContextID}, nil
}

// idIfNoUnique is the numeric id to send when the unique id is unknown; the
// protocol takes one or the other.
func (w worldRef) idIfNoUnique() runtime.ExecutionContextID {
	if w.unique != "" {
		return 0
	}
	return w.id
}

// Install evaluates source in the isolated world unless the global name is
// already defined there, so a library such as axe-core is loaded once per
// document.
func Install(ctx context.Context, t *Tab, name, source string) error {
	loaded, err := Call[bool](ctx, t, `(name) => name in globalThis`, name)
	if err != nil {
		return fmt.Errorf("browser: installing %s: %w", name, err)
	}
	if loaded {
		return nil
	}
	if _, err := t.evalWorld(ctx, source); err != nil {
		return fmt.Errorf("browser: installing %s: %w", name, err)
	}
	return nil
}

// CallOn calls a JavaScript function in the isolated world with this bound
// to the DOM node that the DevTools protocol knows by backend id (as the
// accessibility tree and DOM.getDocument report it), and decodes the JSON
// result into T.
func CallOn[T any](ctx context.Context, t *Tab, node cdp.BackendNodeID, function string, args ...any) (T, error) {
	var zero T
	callArgs := make([]*runtime.CallArgument, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			return zero, fmt.Errorf("browser: encoding the arguments: %w", err)
		}
		callArgs[i] = &runtime.CallArgument{Value: b}
	}
	raw, err := Run(ctx, t, func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
		world, err := t.worldOf(ctx, target)
		if err != nil {
			return nil, err
		}
		obj, err := cdp.Call(ctx, target, dom.ResolveNode, dom.ResolveNodeParams{
			BackendNodeID: node, ExecutionContextID: world.id, ObjectGroup: worldName,
		})
		if err != nil {
			return nil, fmt.Errorf("resolving node %d: %w", node, err)
		}
		defer func() {
			// Only tidiness: the handle dies with the document anyway.
			_, _ = cdp.Call(ctx, target, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.Object.ObjectID})
		}()
		res, err := cdp.Call(ctx, target, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
			FunctionDeclaration: function,
			ObjectID:            obj.Object.ObjectID,
			Arguments:           callArgs,
			ReturnByValue:       new(true),
			AwaitPromise:        new(true),
		})
		if err != nil {
			return nil, err
		}
		return resultJSON(res.Result, res.ExceptionDetails)
	})
	if err != nil {
		return zero, fmt.Errorf("browser: calling on a node: %w", err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("browser: decoding the result: %w", err)
	}
	return v, nil
}

// ConsoleError is an error the page wrote to the console: console.error, an
// uncaught exception or rejection, or an error entry of the browser log (a
// failed request, a CSP report).
type ConsoleError struct {
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
	Line int64  `json:"line,omitempty"` // 1-based; 0 when unknown
}

// CSPViolation is a securitypolicyviolation event of the page.
type CSPViolation struct {
	Directive   string `json:"directive"`
	BlockedURI  string `json:"blockedURI"`
	DocumentURI string `json:"documentURI"`
	SourceFile  string `json:"sourceFile,omitempty"`
	Line        int64  `json:"line,omitempty"`
	Disposition string `json:"disposition"` // "enforce" or "report"
	Sample      string `json:"sample,omitempty"`
}

// Diagnostics is what went wrong in the page since the last
// [Tab.Navigate].
type Diagnostics struct {
	ConsoleErrors []ConsoleError `json:"consoleErrors"`
	CSPViolations []CSPViolation `json:"cspViolations"`
}

// Err is nil when the page had neither console errors nor CSP violations,
// and otherwise lists them all.
func (d Diagnostics) Err() error {
	var errs []error
	for _, c := range d.ConsoleErrors {
		errs = append(errs, fmt.Errorf("console error: %s (%s:%d)", c.Text, c.URL, c.Line))
	}
	for _, v := range d.CSPViolations {
		errs = append(errs, fmt.Errorf("CSP %s violation of %s: blocked %q (%s:%d)",
			v.Disposition, v.Directive, v.BlockedURI, v.SourceFile, v.Line))
	}
	return errors.Join(errs...)
}

// Diagnostics returns the console errors and CSP violations since the last
// [Tab.Navigate]. It first lets the page's queued tasks run, because the
// browser delivers violation events asynchronously.
func (t *Tab) Diagnostics(ctx context.Context) (Diagnostics, error) {
	// The reply to this evaluation comes after every report the probe sent
	// before the timer fired, and the listener has handled those by then.
	if _, err := t.evalWorld(ctx, `new Promise((resolve) => setTimeout(resolve, 0))`); err != nil {
		return Diagnostics{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return Diagnostics{
		ConsoleErrors: append([]ConsoleError(nil), t.console...),
		CSPViolations: append([]CSPViolation(nil), t.csp...),
	}, nil
}

// observe runs in chromedp's event loop for the tab, in the order the
// browser sent the events; it must not block or send commands.
func (t *Tab) observe(ev any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExecutionContextCreated:
		if ev.Context.Name == worldName && frameOf(ev.Context) == t.frame {
			t.world = worldRef{id: ev.Context.ID, unique: ev.Context.UniqueID}
		}
	case *runtime.EventExecutionContextDestroyed:
		if ev.ExecutionContextUniqueID == t.world.unique {
			t.world = worldRef{}
		}
	case *runtime.EventExecutionContextsCleared:
		t.world = worldRef{}
	case *runtime.EventBindingCalled:
		if ev.Name == bindingName {
			var v CSPViolation
			if json.Unmarshal([]byte(ev.Payload), &v) == nil {
				t.csp = append(t.csp, v)
			}
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			ce := ConsoleError{Text: consoleText(ev.Args)}
			if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
				ce.URL, ce.Line = st.CallFrames[0].URL, st.CallFrames[0].LineNumber+1
			}
			t.console = append(t.console, ce)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		t.console = append(t.console, ConsoleError{Text: text, URL: d.URL, Line: d.LineNumber + 1})
	case *log.EventEntryAdded:
		if e := ev.Entry; e.Level == log.EntryLevelError && !isAutomaticFavicon(e) {
			line := e.LineNumber
			if line > 0 {
				line++
			}
			t.console = append(t.console, ConsoleError{Text: e.Text, URL: e.URL, Line: line})
		}
	case *network.EventRequestWillBeSent:
		if ev.Type != network.ResourceTypeEventSource && ev.Type != network.ResourceTypeWebSocket {
			t.inflight[ev.RequestID] = request{url: ev.Request.URL, frame: ev.FrameID, loader: ev.LoaderID}
		}
		t.lastNet = time.Now()
	case *page.EventFrameNavigated:
		// A request the document left behind started (a timer, an unload
		// handler that fetches) died with it, and the browser sends no
		// loadingFailed for it: without this a page after it never
		// counted as idle.
		for id, r := range t.inflight {
			if r.frame == ev.Frame.ID && r.loader != ev.Frame.LoaderID {
				delete(t.inflight, id)
			}
		}
	case *network.EventLoadingFinished:
		delete(t.inflight, ev.RequestID)
		t.lastNet = time.Now()
	case *network.EventLoadingFailed:
		delete(t.inflight, ev.RequestID)
		t.lastNet = time.Now()
	}
}

// isAutomaticFavicon tells the browser's own request for /favicon.ico,
// which a page without an icon link did not ask for, from the page's errors.
func isAutomaticFavicon(e *log.Entry) bool {
	u, err := url.Parse(e.URL)
	return err == nil && e.Source == log.EntrySourceNetwork && u.Path == "/favicon.ico"
}

// frameOf reads the frame id from an execution context's auxData.
func frameOf(c *runtime.ExecutionContextDescription) cdp.FrameID {
	var aux struct {
		FrameID cdp.FrameID `json:"frameId"`
	}
	if json.Unmarshal(c.AuxData, &aux) != nil {
		return ""
	}
	return aux.FrameID
}

// consoleText renders console.error arguments roughly as DevTools does.
func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
			parts = append(parts, s)
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.UnserializableValue))
		}
	}
	return strings.Join(parts, " ")
}
