package a11y

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/browser"
)

// ErrLogin is returned when a login recipe cannot log in.
var ErrLogin = errors.New("a11y: login failed")

// Login logs a tab in before the pages are checked. The session cookie it
// leaves in the tab's cookie jar carries over to every page.
type Login interface {
	LogIn(ctx context.Context, tab *browser.Tab) error
}

// Field is one form field to fill: the element named Name gets Value.
type Field struct {
	Name  string
	Value string
}

// ParseField reads "name=value", as the -login-field flag takes it. The
// value may contain "=".
func ParseField(s string) (Field, error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Field{}, fmt.Errorf("a11y: login field %q: want name=value", s)
	}
	return Field{Name: name, Value: value}, nil
}

// ParseFields reads each of specs with ParseField: every -login-field flag
// of a command line.
func ParseFields(specs []string) ([]Field, error) {
	var fields []Field
	for _, spec := range specs {
		field, err := ParseField(spec)
		if err != nil {
			return nil, err
		}
		fields = append(fields, field)
	}
	return fields, nil
}

// FormLogin fills a login form: text fields are typed with real key events,
// checkboxes and radios with the value are clicked, selects are set. Then
// the form is submitted with Submit (a CSS selector) or, when empty, with
// the form's own submit button.
type FormLogin struct {
	URL    string
	Fields []Field
	Submit string
}

// ChoiceLogin picks one option in a form and submits it: a radio button, a
// select option or a submit button whose value or visible text is Choice.
// It fits a development IdP's persona chooser, where choosing a persona is
// the whole login.
type ChoiceLogin struct {
	URL    string
	Choice string
	Submit string
}

// errNoForm is a login page without the form or button to submit.
var errNoForm = errors.New("no form or submit button found")

// submitTimeout bounds the wait for the page that submitting the login
// form loads.
const submitTimeout = 20 * time.Second

// loginQuiet is how long the network must be still before a login counts
// as settled: a SAML flow hops through several auto-posted forms.
const loginQuiet = 500 * time.Millisecond

// LogIn implements Login.
func (l FormLogin) LogIn(ctx context.Context, tab *browser.Tab) error {
	if len(l.Fields) == 0 {
		return fmt.Errorf("%w: no fields to fill", ErrLogin)
	}
	if err := openLogin(ctx, tab, l.URL); err != nil {
		return err
	}
	for _, f := range l.Fields {
		kind, err := browser.Call[string](ctx, tab, `(name) => {
			const el = document.querySelector("[name='" + CSS.escape(name) + "']");
			if (!el) return "";
			return el.localName === "input" ? el.type : el.localName;
		}`, f.Name)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrLogin, err)
		}
		sel := chromedp.CSS(fmt.Sprintf("[name=%q]", f.Name))
		switch kind {
		case "":
			return fmt.Errorf("%w: no field named %q on %s", ErrLogin, f.Name, l.URL)
		case "checkbox", "radio":
			err = browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(fmt.Sprintf("[name=%q][value=%q]", f.Name, f.Value))))
		case "select":
			err = browser.Do(ctx, tab, chromedp.SetValue(sel, f.Value))
		default:
			err = browser.Do(ctx, tab, chromedp.Clear(sel), chromedp.SendKeys(sel, f.Value))
		}
		if err != nil {
			return fmt.Errorf("%w: filling %q: %w", ErrLogin, f.Name, err)
		}
	}
	return submitLogin(ctx, tab, `[name='`+jsQuote(l.Fields[0].Name)+`']`, l.Submit)
}

// LogIn implements Login.
func (l ChoiceLogin) LogIn(ctx context.Context, tab *browser.Tab) error {
	if err := openLogin(ctx, tab, l.URL); err != nil {
		return err
	}
	// Marks the chosen control so the submit step can find its form.
	picked, err := browser.Call[string](ctx, tab, `(choice) => {
		const text = (el) => (el.labels?.[0]?.textContent ?? el.textContent ?? "").trim();
		const mark = (el) => { el.setAttribute("data-a11ycheck-choice", ""); return el.localName === "option" ? el.parentElement.localName : (el.type || el.localName); };
		for (const el of document.querySelectorAll('input[type="radio"]')) {
			if (el.value === choice || text(el) === choice) { el.click(); return mark(el); }
		}
		for (const el of document.querySelectorAll("option")) {
			if (el.value === choice || el.textContent.trim() === choice) {
				el.selected = true;
				el.parentElement.dispatchEvent(new Event("input", { bubbles: true }));
				el.parentElement.dispatchEvent(new Event("change", { bubbles: true }));
				return mark(el);
			}
		}
		for (const el of document.querySelectorAll('button, input[type="submit"]')) {
			if (el.type === "submit" && (el.value === choice || text(el) === choice)) return mark(el);
		}
		return "";
	}`, l.Choice)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	if picked == "" {
		return fmt.Errorf("%w: no radio button, option or submit button %q on %s", ErrLogin, l.Choice, l.URL)
	}
	submit := l.Submit
	if picked == "submit" && submit == "" {
		submit = "[data-a11ycheck-choice]" // the chosen button submits with its own name and value
	}
	return submitLogin(ctx, tab, "[data-a11ycheck-choice]", submit)
}

func jsQuote(s string) string { return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) }

func openLogin(ctx context.Context, tab *browser.Tab, url string) error {
	status, err := tab.Navigate(ctx, url)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	if status >= 400 {
		return fmt.Errorf("%w: %s answered HTTP %d", ErrLogin, url, status)
	}
	return tab.WaitIdle(ctx, loginQuiet)
}

// submitLogin clicks submit (a CSS selector) or, when it is empty, submits
// the form that holds field (a CSS selector) with its first submit button;
// then it waits for the redirects to settle and checks that the login form
// is gone.
func submitLogin(ctx context.Context, tab *browser.Tab, field, submit string) error {
	before, err := browser.Run(ctx, tab, chromedp.Location())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	loadCtx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	err = tab.WaitLoad(loadCtx, func() error {
		ok, err := browser.Call[bool](ctx, tab, `(field, submit) => {
			if (submit) {
				const button = document.querySelector(submit);
				button?.click();
				return !!button;
			}
			const el = document.querySelector(field);
			const form = el?.form ?? el?.closest("form");
			if (!form) return false;
			// requestSubmit with the button sends the button's name and value too.
			form.requestSubmit(form.querySelector('button:not([type]), button[type="submit"], input[type="submit"]') ?? undefined);
			return true;
		}`, field, submit)
		if err == nil && !ok {
			err = errNoForm
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: submitting: %w", ErrLogin, err)
	}
	// A SAML flow goes on through auto-posted forms after the first load.
	if err := tab.WaitIdle(ctx, loginQuiet); err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	after, err := browser.Run(ctx, tab, chromedp.Location())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	still, err := browser.Call[bool](ctx, tab, `(field) => document.querySelector(field) !== null`, field)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLogin, err)
	}
	if after == before && still {
		return fmt.Errorf("%w: still on the login form at %s after submitting", ErrLogin, after)
	}
	return nil
}
