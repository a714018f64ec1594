package saml

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/session"
)

const (
	bearer       = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	entityFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
)

// verified is what a response proved, once every check passed.
type verified struct {
	inResponseTo string
	assertionID  string
	until        time.Time // the assertion is usable (and must be remembered) until then
	subject      identity.Subject
	info         session.SAMLInfo
}

// verifyResponse is the strict layer. crewjam's own ParseResponse is not
// used: in v0.5.1 it panics on a signed assertion without Subject or
// Conditions, returns the first of several assertions, accepts SHA-1 and
// reads its clock from package globals. The checks here are a superset of
// its checks, built from its types and xmlenc plus goxmldsig, in this order:
//
//  1. parse (UTF-8, no DTD, round-trip safe) and refuse wrapping shapes;
//  2. status: a cancel or fraud answer is reported as such;
//  3. exactly one assertion, directly in the Response;
//  4. the Response is signed by a metadata key with SHA-2; from then on
//     only the signed content is read;
//  5. Issuer, Destination, IssueInstant of the Response;
//  6. the assertion (decrypted when encrypted) is signed too;
//  7. Subject, one bearer SubjectConfirmation (Recipient, NotOnOrAfter,
//     InResponseTo), Conditions (times, Audience), one AuthnStatement with
//     a requested LoA, and the attributes.
//
// Binding the response to a request of ours, and replay, are the caller's.
func (sp *SP) verifyResponse(raw []byte, now time.Time) (*verified, error) {
	root, err := parseXML(raw)
	if err != nil {
		return nil, err
	}
	if root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, fmt.Errorf("%w: not a SAML Response", ErrMalformed)
	}
	if err := checkTree(root); err != nil {
		return nil, err
	}
	if err := checkStatus(root); err != nil {
		return nil, err
	}
	if n := len(assertionsIn(root)); n != 1 {
		return nil, fmt.Errorf("%w: found %d", ErrAssertionCount, n)
	}
	resp, err := sp.verifySignature(root)
	if err != nil {
		return nil, err
	}
	inResponseTo, err := sp.checkResponse(resp, now)
	if err != nil {
		return nil, err
	}
	assertion, err := sp.signedAssertion(resp)
	if err != nil {
		return nil, err
	}
	return sp.checkAssertion(assertion, inResponseTo, now)
}

// checkStatus reports a non-success status. The status is read before the
// signature is checked: acting on it only ever refuses.
func checkStatus(resp *etree.Element) error {
	st, err := only(resp, nsProtocol, "Status")
	if err != nil {
		return err
	}
	code, err := only(st, nsProtocol, "StatusCode")
	if err != nil {
		return err
	}
	v := code.SelectAttrValue("Value", "")
	if v == crewjam.StatusSuccess {
		return nil
	}
	se := &StatusError{Code: v}
	if sub := children(code, nsProtocol, "StatusCode"); len(sub) == 1 {
		se.SubCode = sub[0].SelectAttrValue("Value", "")
	}
	return se
}

func assertionsIn(resp *etree.Element) []*etree.Element {
	return append(children(resp, nsAssertion, "Assertion"), children(resp, nsAssertion, "EncryptedAssertion")...)
}

// checkResponse checks the signed Response's own fields and returns its
// InResponseTo.
func (sp *SP) checkResponse(resp *etree.Element, now time.Time) (string, error) {
	if resp.SelectAttrValue("Version", "") != "2.0" {
		return "", fmt.Errorf("%w: Response version", ErrMalformed)
	}
	if err := sp.checkIssuer(resp); err != nil {
		return "", err
	}
	if resp.SelectAttrValue("Destination", "") != sp.acsURL {
		return "", fmt.Errorf("%w: Response Destination is not our ACS", ErrDestination)
	}
	if err := sp.checkIssueInstant(resp, now); err != nil {
		return "", err
	}
	return resp.SelectAttrValue("InResponseTo", ""), nil
}

func (sp *SP) checkIssuer(el *etree.Element) error {
	iss, err := only(el, nsAssertion, "Issuer")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrIssuer, err)
	}
	if f := iss.SelectAttrValue("Format", entityFormat); f != entityFormat || strings.TrimSpace(iss.Text()) != sp.idp.entityID {
		return fmt.Errorf("%w: %s", ErrIssuer, el.Tag)
	}
	return nil
}

// checkIssueInstant: not from the future, and not older than a request may live.
func (sp *SP) checkIssueInstant(el *etree.Element, now time.Time) error {
	t, err := time.Parse(time.RFC3339Nano, el.SelectAttrValue("IssueInstant", ""))
	if err != nil {
		return fmt.Errorf("%w: %s IssueInstant", ErrMalformed, el.Tag)
	}
	if t.After(now.Add(sp.cfg.ClockSkew)) {
		return fmt.Errorf("%w: %s issued in the future", ErrNotYetValid, el.Tag)
	}
	if t.Before(now.Add(-sp.cfg.RequestLifetime - sp.cfg.ClockSkew)) {
		return fmt.Errorf("%w: %s issued too long ago", ErrExpired, el.Tag)
	}
	return nil
}

// signedAssertion returns the signed content of the one assertion in the
// signed Response, decrypting it first when it is encrypted. The Swedish
// profile wants assertions signed even inside a signed Response.
func (sp *SP) signedAssertion(resp *etree.Element) (*etree.Element, error) {
	as := assertionsIn(resp)
	if len(as) != 1 {
		return nil, fmt.Errorf("%w: found %d", ErrAssertionCount, len(as))
	}
	el := as[0]
	if el.Tag == "EncryptedAssertion" {
		plain, err := sp.decryptAssertion(el)
		if err != nil {
			return nil, err
		}
		el = plain
	}
	return sp.verifySignature(el)
}

// checkAssertion checks a signed assertion and reads the subject from it.
func (sp *SP) checkAssertion(el *etree.Element, inResponseTo string, now time.Time) (*verified, error) {
	if err := sp.checkIssuer(el); err != nil {
		return nil, err
	}
	if err := sp.checkIssueInstant(el, now); err != nil {
		return nil, err
	}
	subj, err := only(el, nsAssertion, "Subject")
	if err != nil {
		return nil, err
	}
	if _, err := only(subj, nsAssertion, "NameID"); err != nil {
		return nil, err
	}
	switch n := len(children(subj, nsAssertion, "SubjectConfirmation")); {
	case n == 0:
		return nil, fmt.Errorf("%w: none", ErrSubjectConfirm)
	case n > 1:
		return nil, fmt.Errorf("%w: %d", ErrSubjectConfirm, n)
	}
	cond, err := only(el, nsAssertion, "Conditions")
	if err != nil {
		return nil, err
	}
	if _, err := only(el, nsAssertion, "AuthnStatement"); err != nil {
		return nil, err
	}
	if err := sp.checkAudience(cond); err != nil {
		return nil, err
	}

	if err := checkAttributeText(el); err != nil {
		return nil, err
	}
	var a crewjam.Assertion
	if err := unmarshal(el, &a); err != nil {
		return nil, err
	}
	if a.Version != "2.0" {
		return nil, fmt.Errorf("%w: Assertion version", ErrMalformed)
	}
	// The decoded struct must agree with the element counts above; crewjam's
	// types match some children without their namespace.
	if a.Subject == nil || a.Subject.NameID == nil || a.Conditions == nil ||
		len(a.Subject.SubjectConfirmations) != 1 || len(a.AuthnStatements) != 1 {
		return nil, fmt.Errorf("%w: assertion structure", ErrMalformed)
	}
	sc := a.Subject.SubjectConfirmations[0]
	d := sc.SubjectConfirmationData
	switch {
	case sc.Method != bearer:
		return nil, fmt.Errorf("%w: method is not bearer", ErrSubjectConfirm)
	case d == nil:
		return nil, fmt.Errorf("%w: no SubjectConfirmationData", ErrSubjectConfirm)
	case d.Recipient != sp.acsURL:
		return nil, fmt.Errorf("%w: Recipient is not our ACS", ErrRecipient)
	case d.NotOnOrAfter.IsZero():
		return nil, fmt.Errorf("%w: no NotOnOrAfter", ErrSubjectConfirm)
	case d.InResponseTo != inResponseTo:
		return nil, fmt.Errorf("%w: SubjectConfirmationData and Response disagree on InResponseTo", ErrRequestMismatch)
	}
	if err := sp.checkWindow("SubjectConfirmationData", d.NotBefore, d.NotOnOrAfter, now); err != nil {
		return nil, err
	}
	c := a.Conditions
	if c.NotOnOrAfter.IsZero() {
		return nil, fmt.Errorf("%w: Conditions NotOnOrAfter", ErrMissingElement)
	}
	if err := sp.checkWindow("Conditions", c.NotBefore, c.NotOnOrAfter, now); err != nil {
		return nil, err
	}

	st := a.AuthnStatements[0]
	if st.AuthnContext.AuthnContextClassRef == nil || !sp.loas[strings.TrimSpace(st.AuthnContext.AuthnContextClassRef.Value)] {
		return nil, fmt.Errorf("%w", ErrLoA)
	}
	if st.AuthnInstant.IsZero() {
		return nil, fmt.Errorf("%w: AuthnInstant", ErrMissingElement)
	}
	if st.AuthnInstant.After(now.Add(sp.cfg.ClockSkew)) {
		return nil, fmt.Errorf("%w: AuthnInstant in the future", ErrNotYetValid)
	}
	if st.SessionNotOnOrAfter != nil && !now.Before(st.SessionNotOnOrAfter.Add(sp.cfg.ClockSkew)) {
		return nil, fmt.Errorf("%w: SessionNotOnOrAfter", ErrExpired)
	}

	user, err := userFrom(a.AttributeStatements)
	if err != nil {
		return nil, err
	}
	nameID := a.Subject.NameID
	if strings.TrimSpace(nameID.Value) == "" {
		return nil, fmt.Errorf("%w: NameID value", ErrMissingElement)
	}
	if a.ID == "" {
		return nil, fmt.Errorf("%w: Assertion ID", ErrMissingElement)
	}
	return &verified{
		inResponseTo: inResponseTo,
		assertionID:  a.ID,
		until:        later(d.NotOnOrAfter, c.NotOnOrAfter).Add(sp.cfg.ClockSkew),
		subject: identity.Subject{
			User:         user,
			LoA:          strings.TrimSpace(st.AuthnContext.AuthnContextClassRef.Value),
			AuthnInstant: st.AuthnInstant,
			IdP:          sp.idp.entityID,
		},
		info: session.SAMLInfo{
			NameID:       nameID.Value,
			NameIDFormat: nameID.Format,
			SessionIndex: st.SessionIndex,
			IdP:          sp.idp.entityID,
		},
	}, nil
}

// checkWindow checks NotBefore (optional) and NotOnOrAfter with the skew.
func (sp *SP) checkWindow(what string, notBefore, notOnOrAfter time.Time, now time.Time) error {
	if !notBefore.IsZero() && now.Add(sp.cfg.ClockSkew).Before(notBefore) {
		return fmt.Errorf("%w: %s", ErrNotYetValid, what)
	}
	if !now.Before(notOnOrAfter.Add(sp.cfg.ClockSkew)) {
		return fmt.Errorf("%w: %s", ErrExpired, what)
	}
	return nil
}

// checkAudience reads the raw elements because crewjam's type keeps one
// Audience per restriction. Restrictions all apply; within one, any listed
// audience will do: every AudienceRestriction must name us.
func (sp *SP) checkAudience(cond *etree.Element) error {
	ars := children(cond, nsAssertion, "AudienceRestriction")
	if len(ars) == 0 {
		return fmt.Errorf("%w: no AudienceRestriction", ErrAudience)
	}
	for _, ar := range ars {
		ok := false
		for _, au := range children(ar, nsAssertion, "Audience") {
			ok = ok || strings.TrimSpace(au.Text()) == sp.cfg.EntityID
		}
		if !ok {
			return fmt.Errorf("%w: an AudienceRestriction does not name us", ErrAudience)
		}
	}
	return nil
}

// userFrom reads the user from the attributes, by OID Name only. The
// personal identity number must appear exactly once with one value of 12
// digits that validates (personnummer or samordningsnummer). Errors never
// carry a value.
func userFrom(statements []crewjam.AttributeStatement) (identity.Party, error) {
	values := map[string][]string{}
	for _, s := range statements {
		for _, at := range s.Attributes {
			for _, v := range at.Values {
				values[at.Name] = append(values[at.Name], strings.TrimSpace(v.Value))
			}
			if len(at.Values) == 0 {
				values[at.Name] = append(values[at.Name], "")
			}
		}
	}
	pnr := values[AttrPersonalIdentityNumber]
	switch {
	case len(pnr) == 0:
		return identity.Party{}, fmt.Errorf("%w: personalIdentityNumber missing", ErrAttribute)
	case len(pnr) > 1:
		return identity.Party{}, fmt.Errorf("%w: personalIdentityNumber repeated", ErrAttribute)
	case len(pnr[0]) != 12:
		return identity.Party{}, fmt.Errorf("%w: personalIdentityNumber is not 12 digits", ErrAttribute)
	}
	number, kind, err := identity.ParseNumber(pnr[0])
	if err != nil || (kind != identity.Personnummer && kind != identity.Samordningsnummer) {
		return identity.Party{}, fmt.Errorf("%w: personalIdentityNumber does not validate", ErrAttribute)
	}
	single := func(name, what string) (string, error) {
		switch vs := values[name]; len(vs) {
		case 0:
			return "", nil
		case 1:
			return vs[0], nil
		default:
			return "", fmt.Errorf("%w: %s repeated", ErrAttribute, what)
		}
	}
	display, err := single(AttrDisplayName, "displayName")
	if err != nil {
		return identity.Party{}, err
	}
	given, err := single(AttrGivenName, "givenName")
	if err != nil {
		return identity.Party{}, err
	}
	sn, err := single(AttrSurname, "sn")
	if err != nil {
		return identity.Party{}, err
	}
	name := display
	if name == "" {
		name = strings.TrimSpace(given + " " + sn)
	}
	return identity.Party{Number: number, Kind: kind, Name: name}, nil
}

// checkAttributeText refuses an assertion in which any AttributeValue has
// element content. The signature covers the canonical form of the whole
// value, child elements included, so 1981121898<b>x</b>76 is as well
// signed as 198112189876; but crewjam's AttributeValue reads the value as
// the element's character data, which joins the text around the children
// into 198112189876. The kit only reads text values, so every value must be
// text only. All AttributeValue elements are checked, whatever their
// namespace or place, because crewjam's types match some children without
// their namespace.
func checkAttributeText(assertion *etree.Element) error {
	for _, v := range assertion.FindElements(".//AttributeValue") {
		if len(v.ChildElements()) > 0 {
			return fmt.Errorf("%w: an AttributeValue has element content", ErrAttributeMarkup)
		}
	}
	return nil
}

// unmarshal decodes a verified element into one of crewjam's types.
func unmarshal(el *etree.Element, v any) error {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	b, err := doc.WriteToBytes()
	if err == nil {
		err = xml.Unmarshal(b, v)
	}
	if err != nil {
		return fmt.Errorf("%w: cannot decode %s", ErrMalformed, el.Tag)
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
