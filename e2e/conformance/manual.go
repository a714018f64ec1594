package conformance

// manualChecks are the rules no browser can decide: the approval request
// lists them for a person to answer.
func manualChecks() []Result {
	needs := func(id, title string, src Source, why string) Result {
		return Result{ID: id, Title: title, Source: src, Verdict: NeedsHuman, Details: []string{why}}
	}
	return []Result{
		needs("human.sso-deep-links", "A deep link reaches the e-service without a second login", StandardView,
			"follow a deep link with a real e-legitimation: the producer's e-service must not ask to log in again (SSO through SAML)"),
		needs("human.step-up", "A portal session from a password alone steps up to e-legitimation before the view", DeploymentProfile,
			"log in to the portal with a password only and open the overview: it must ask for e-legitimation first"),
		needs("human.trust-authority", "The trust line names the right managing authority", StandardView,
			"the checker sees that a trust line is there; a person confirms it names the authority that approved this portal"),
		needs("human.support", "Support never sees case data", Privacy,
			"the 1st line (how the view works) and the 2nd line (technical faults) have no access to cases and no screen sharing: show the routines"),
		needs("human.processor", "The view actor keeps nothing and can show it", Privacy,
			"processor agreements (personuppgiftsbiträdesavtal) with each producer; logs, backups and analytics hold no case field, personnummer or name"),
		needs("human.consent", "Activation with informed, explicit and revocable consent", Privacy,
			"activate and withdraw the overview: withdrawing removes the customer's preferences"),
		needs("human.a11y-statement", "An accessibility statement (tillgänglighetsredogörelse)", Accessibility,
			"lag 2018:1937 §15 requires one, reachable from the portal, with the way to report problems and to reach Digg"),
	}
}
