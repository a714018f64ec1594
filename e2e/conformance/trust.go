package conformance

import (
	"context"
	"fmt"
	"regexp"
)

// Checks of trust: the service is approved, and each case names its actor.
const (
	CheckTrustLine        = "trust.trust-line"
	CheckResponsibleActor = "trust.responsible-actor"
)

// trustLine is a visible sentence saying the service is approved, in
// Swedish, English, Finnish or Arabic ("Palvelun on hyväksynyt …": the
// Finnish verb is inflected, so its stem; "هذه الخدمة معتمدة من …": Go's \b
// knows no Arabic letters, so the stem alone).
var trustLine = regexp.MustCompile(`(?i)[^\n.]*(\b(godkänd|approved)\b|\bhyväksy|معتمد)[^\n]*`)

// checkTrust: the trust line is visible on the overview, and every case
// names the actor responsible for it.
func (r *run) checkTrust(ctx context.Context, v overview) error {
	text, err := lib[string](ctx, r, "visibleText")
	if err != nil {
		return err
	}
	const title = "The trust line (the service is approved by the managing authority) is visible"
	if line := trustLine.FindString(text); line != "" {
		r.report.add(CheckTrustLine, title, StandardView, Pass, "shown: "+clip(line, 160))
	} else {
		r.report.add(CheckTrustLine, title, StandardView, Fail,
			`no visible line on the overview says that the service is approved ("Tjänsten är godkänd av …" / "This service is approved by …" / "Palvelun on hyväksynyt …" / "هذه الخدمة معتمدة من …")`)
	}

	const actorTitle = "Every case names the actor responsible for it"
	if !v.Found || len(v.Rows) == 0 {
		r.report.add(CheckResponsibleActor, actorTitle, StandardView, NeedsHuman, noCases(v))
		return nil
	}
	var problems []string
	for i, row := range v.Rows {
		if row.Sender == "" {
			problems = append(problems, fmt.Sprintf("case %d shows no sender", i+1))
		}
	}
	r.report.verdict(CheckResponsibleActor, actorTitle, StandardView, problems,
		fmt.Sprintf("%d case(s), each with its sender shown", len(v.Rows)))
	return nil
}
