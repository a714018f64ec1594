package a11y

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/browser"
)

// interactiveRoles are Chromium's roles for nodes a user operates; each
// needs a name (4.1.2). DisclosureTriangle is <summary>.
var interactiveRoles = map[string]bool{
	"button": true, "link": true, "checkbox": true, "radio": true, "textbox": true,
	"searchbox": true, "combobox": true, "listbox": true, "option": true, "menuitem": true,
	"menuitemcheckbox": true, "menuitemradio": true, "tab": true, "switch": true,
	"slider": true, "spinbutton": true, "treeitem": true, "DisclosureTriangle": true,
}

// liveRoles are roles whose content the screen reader announces.
var liveRoles = map[string]bool{"status": true, "alert": true, "log": true, "timer": true, "marquee": true}

// axString decodes an accessibility value that is a string.
func axString(v *accessibility.Value) string {
	if v == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) != nil {
		return ""
	}
	return s
}

func axProperty(n *accessibility.Node, name accessibility.PropertyName) (*accessibility.Value, bool) {
	for _, p := range n.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// domIndex is the DOM with shadow roots, by backend node id.
type domIndex map[cdp.BackendNodeID]*cdp.Node

func indexDOM(n *cdp.Node, into domIndex) {
	into[n.BackendNodeID] = n
	for _, group := range [][]*cdp.Node{n.Children, n.ShadowRoots} {
		for _, c := range group {
			indexDOM(c, into)
		}
	}
}

// subtree collects the backend ids of n and everything below it, shadow
// trees included.
func subtree(n *cdp.Node, into map[cdp.BackendNodeID]bool) {
	into[n.BackendNodeID] = true
	for _, group := range [][]*cdp.Node{n.Children, n.ShadowRoots} {
		for _, c := range group {
			subtree(c, into)
		}
	}
}

func attr(n *cdp.Node, name string) (string, bool) {
	for i := 0; i+1 < len(n.Attributes); i += 2 {
		if n.Attributes[i] == name {
			return n.Attributes[i+1], true
		}
	}
	return "", false
}

// domLive reports whether the DOM marks n as a live region; the
// accessibility tree may ignore an empty one that is still there, waiting.
func domLive(n *cdp.Node) bool {
	role, _ := attr(n, "role")
	live, _ := attr(n, "aria-live")
	return liveRoles[role] || live == "polite" || live == "assertive" || n.LocalName == "output"
}

// accessibilityTree checks names, expanded states and status regions in
// Chromium's accessibility tree, the one screen readers read.
func (s *stateRun) accessibilityTree() error {
	tree, err := browser.Run(s.ctx, s.tab, func(ctx context.Context, t *chromedp.Target) (accessibility.GetFullAXTreeResult, error) {
		return cdp.Call(ctx, t, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	})
	if err != nil {
		return err
	}
	doc, err := browser.Run(s.ctx, s.tab, func(ctx context.Context, t *chromedp.Target) (dom.GetDocumentResult, error) {
		return cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{Depth: new(int64(-1)), Pierce: new(true)})
	})
	if err != nil {
		return err
	}
	nodes := domIndex{}
	indexDOM(doc.Root, nodes)

	for _, n := range tree.Nodes {
		if n.Ignored || n.BackendDOMNodeID == 0 {
			continue
		}
		role := axString(n.Role)
		el := nodes[n.BackendDOMNodeID]
		if interactiveRoles[role] && axString(n.Name) == "" {
			s.add("4.1.2", RuleNameRoleValue, s.selectorOf(n.BackendDOMNodeID), SeverityError,
				fmt.Sprintf("%s has no accessible name: a screen reader says only %q", role, role), "")
		}
		if el == nil {
			continue
		}
		_, hasExpanded := attr(el, "aria-expanded")
		if hasExpanded || el.LocalName == "summary" {
			if _, ok := axProperty(n, accessibility.PropertyNameExpanded); !ok {
				s.add("4.1.2", RuleExpandedState, s.selectorOf(n.BackendDOMNodeID), SeverityError,
					fmt.Sprintf("the disclosure does not expose expanded or collapsed (role %s does not support it)", role), "")
			}
		}
	}

	for _, host := range nodes {
		if !slices.Contains(s.opts.LiveRegionHosts, host.LocalName) {
			continue
		}
		inside := map[cdp.BackendNodeID]bool{}
		subtree(host, inside)
		found := false
		for id := range inside {
			if el := nodes[id]; el != nil && domLive(el) {
				found = true
				break
			}
		}
		for _, n := range tree.Nodes {
			if found {
				break
			}
			if !inside[n.BackendDOMNodeID] {
				continue
			}
			live, _ := axProperty(n, accessibility.PropertyNameLive)
			if liveRoles[axString(n.Role)] || axString(live) == "polite" || axString(live) == "assertive" {
				found = true
			}
		}
		if !found {
			s.add("4.1.3", RuleStatusRegion, s.selectorOf(host.BackendNodeID), SeverityError,
				fmt.Sprintf("<%s> has no status or live region: loading, errors and result counts are not announced", host.LocalName), "")
		}
	}
	return nil
}

// selectorOf names a node of the accessibility tree or the DOM for the
// report; when the page changed under the checker, the id stands in.
func (s *stateRun) selectorOf(id cdp.BackendNodeID) string {
	sel, err := browser.CallOn[string](s.ctx, s.tab, id, `function () { return `+libName+`.selectorOf(this); }`)
	if err != nil {
		return fmt.Sprintf("backend node %d", id)
	}
	return sel
}
