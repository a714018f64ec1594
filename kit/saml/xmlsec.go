package saml

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"unicode/utf8"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	xrv "github.com/mattermost/xml-roundtrip-validator"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// XML namespaces and algorithm identifiers.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = dsig.Namespace
	nsXEnc      = "http://www.w3.org/2001/04/xmlenc#"

	algExcC14N      = string(dsig.CanonicalXML10ExclusiveAlgorithmId)
	algEnveloped    = string(dsig.EnvelopedSignatureAltorithmId)
	algRSAOAEP      = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algAES128CBC    = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algAES192CBC    = "http://www.w3.org/2001/04/xmlenc#aes192-cbc"
	algAES256CBC    = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	algAES128GCM    = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	algDigestSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algDigestSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
)

// Signature algorithms we accept: SHA-2 only. SHA-1 is refused everywhere.
var signatureMethods = map[string]x509.SignatureAlgorithm{
	dsig.RSASHA256SignatureMethod:   x509.SHA256WithRSA,
	dsig.RSASHA384SignatureMethod:   x509.SHA384WithRSA,
	dsig.RSASHA512SignatureMethod:   x509.SHA512WithRSA,
	dsig.ECDSASHA256SignatureMethod: x509.ECDSAWithSHA256,
	dsig.ECDSASHA384SignatureMethod: x509.ECDSAWithSHA384,
	dsig.ECDSASHA512SignatureMethod: x509.ECDSAWithSHA512,
}

var digestMethods = map[string]bool{algDigestSHA256: true, algDigestSHA384: true, algDigestSHA512: true}

// Encryption algorithms we accept: those crewjam's xmlenc decrypts, less
// RSA PKCS#1 v1.5 key transport (it invites Bleichenbacher-style oracles)
// and 3DES. CBC is acceptable here because the ciphertext sits inside the
// signed Response and is only decrypted after that signature is verified.
var (
	keyTransports  = map[string]bool{algRSAOAEP: true}
	contentCiphers = map[string]bool{algAES128GCM: true, algAES256CBC: true, algAES192CBC: true, algAES128CBC: true}
)

// maxElementDepth bounds nesting; a SAML response needs about ten levels.
const maxElementDepth = 48

// parseXML reads one SAML message. It refuses anything but UTF-8, every
// markup declaration (DOCTYPE, ENTITY: no DTD, no entity expansion, no
// external entities), and documents that encoding/xml would not round-trip
// faithfully (the mattermost validator), before building the tree.
func parseXML(raw []byte) (*etree.Element, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	if err := refuseDeclarations(raw); err != nil {
		return nil, err
	}
	// The validators' own messages may quote the document; they are left
	// out so that nothing of the message reaches a log.
	if err := xrv.Validate(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("%w: XML does not round-trip", ErrMalformed)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveDuplicateAttrs = true
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: not well-formed XML", ErrMalformed)
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return doc.Root(), nil
}

// refuseDeclarations allows "<!" only where it opens a comment or CDATA.
func refuseDeclarations(raw []byte) error {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("<!"))
		if j < 0 {
			return nil
		}
		rest := raw[i+j:]
		if !bytes.HasPrefix(rest, []byte("<!--")) && !bytes.HasPrefix(rest, []byte("<![CDATA[")) {
			return ErrDoctype
		}
		i += j + 2
	}
}

// checkTree walks a message once and refuses the shapes signature-wrapping
// attacks need: a Response or Assertion anywhere but where SAML puts it (the
// root, or an assertion directly under the Response), two elements with one
// ID, and a Signature that does not sign its own parent. It also refuses
// repeated attributes (which encoding/xml would silently collapse) and
// absurd nesting.
func checkTree(root *etree.Element) error {
	ids := map[string]bool{}
	var walk func(el *etree.Element, depth int) error
	walk = func(el *etree.Element, depth int) error {
		if depth > maxElementDepth {
			return fmt.Errorf("%w: nested too deeply", ErrMalformed)
		}
		seen := make(map[string]bool, len(el.Attr))
		for _, a := range el.Attr {
			k := a.Space + ":" + a.Key
			if seen[k] {
				return fmt.Errorf("%w: repeated attribute", ErrMalformed)
			}
			seen[k] = true
			if a.Space == "" && a.Key == "ID" {
				if ids[a.Value] {
					return fmt.Errorf("%w: two elements share an ID", ErrWrapped)
				}
				ids[a.Value] = true
			}
		}
		switch el.Tag {
		case "Response":
			if el != root {
				return fmt.Errorf("%w: nested Response", ErrWrapped)
			}
		case "Assertion", "EncryptedAssertion":
			if el != root && (root.Tag != "Response" || el.Parent() != root) {
				return fmt.Errorf("%w: assertion outside its place", ErrWrapped)
			}
		case "Signature":
			if el.NamespaceURI() == nsDSig {
				if err := checkSignsParent(el); err != nil {
					return err
				}
			}
		}
		for _, c := range el.ChildElements() {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0)
}

// checkSignsParent insists that every reference of sig points at the
// element sig sits in: an enveloped signature, never a detached one.
func checkSignsParent(sig *etree.Element) error {
	parent := sig.Parent()
	id := ""
	if parent != nil {
		id = parent.SelectAttrValue("ID", "")
	}
	for _, si := range children(sig, nsDSig, "SignedInfo") {
		for _, ref := range children(si, nsDSig, "Reference") {
			if id == "" || ref.SelectAttrValue("URI", "") != "#"+id {
				return fmt.Errorf("%w: signature references another element", ErrWrapped)
			}
		}
	}
	return nil
}

// children returns el's child elements in namespace ns with local name tag.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// only returns the single child ns:tag of el, or an error naming what is
// missing or repeated.
func only(el *etree.Element, ns, tag string) (*etree.Element, error) {
	cs := children(el, ns, tag)
	switch len(cs) {
	case 1:
		return cs[0], nil
	case 0:
		return nil, fmt.Errorf("%w: %s", ErrMissingElement, tag)
	default:
		return nil, fmt.Errorf("%w: more than one %s", ErrMalformed, tag)
	}
}

func algorithm(el *etree.Element) string { return el.SelectAttrValue("Algorithm", "") }

// checkSignatureShape finds el's one enveloped signature and refuses every
// algorithm and transform outside the profile before any cryptography runs.
func checkSignatureShape(el *etree.Element) error {
	sigs := children(el, nsDSig, "Signature")
	switch {
	case len(sigs) == 0:
		return fmt.Errorf("%w: %s", ErrUnsigned, el.Tag)
	case len(sigs) > 1:
		return fmt.Errorf("%w: %s has more than one signature", ErrSignature, el.Tag)
	}
	si, err := only(sigs[0], nsDSig, "SignedInfo")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	cm, err := only(si, nsDSig, "CanonicalizationMethod")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if algorithm(cm) != algExcC14N {
		return fmt.Errorf("%w: canonicalization %s", ErrWeakAlgorithm, algorithm(cm))
	}
	sm, err := only(si, nsDSig, "SignatureMethod")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if _, ok := signatureMethods[algorithm(sm)]; !ok {
		return fmt.Errorf("%w: signature method %s", ErrWeakAlgorithm, algorithm(sm))
	}
	ref, err := only(si, nsDSig, "Reference")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	id := el.SelectAttrValue("ID", "")
	if id == "" || ref.SelectAttrValue("URI", "") != "#"+id {
		return fmt.Errorf("%w: signature does not reference %s", ErrWrapped, el.Tag)
	}
	for _, ts := range children(ref, nsDSig, "Transforms") {
		for _, t := range children(ts, nsDSig, "Transform") {
			if a := algorithm(t); a != algEnveloped && a != algExcC14N {
				return fmt.Errorf("%w: transform %s", ErrWeakAlgorithm, a)
			}
		}
	}
	dm, err := only(ref, nsDSig, "DigestMethod")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if !digestMethods[algorithm(dm)] {
		return fmt.Errorf("%w: digest method %s", ErrWeakAlgorithm, algorithm(dm))
	}
	return nil
}

// verifySignature checks el's enveloped signature against the IdP's
// metadata keys and returns what the signature covers: a fresh tree built
// from the canonical bytes that were digested, without the signature.
// Everything after this reads only that tree, so nothing unsigned can be
// smuggled in beside it. KeyInfo is removed first: a certificate inside the
// message is never trusted, only the keys in the metadata.
func (sp *SP) verifySignature(el *etree.Element) (*etree.Element, error) {
	if err := checkSignatureShape(el); err != nil {
		return nil, err
	}
	detached, err := detach(el)
	if err != nil {
		return nil, err
	}
	for _, sig := range children(detached, nsDSig, "Signature") {
		for _, ki := range children(sig, nsDSig, "KeyInfo") {
			sig.RemoveChild(ki)
		}
	}
	var last error
	for _, cert := range sp.idp.certs {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		vc.IdAttribute = dsig.DefaultIdAttr
		out, err := vc.Validate(detached)
		if err == nil {
			return out, nil
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %s: %v", ErrSignature, el.Tag, last)
}

// detach copies el with every namespace declaration it inherits, so it
// canonicalizes the same outside its document.
func detach(el *etree.Element) (*etree.Element, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err == nil {
		ctx, err = ctx.SubContext(el)
	}
	if err == nil {
		el, err = etreeutils.NSDetatch(ctx, el)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: namespaces", ErrMalformed)
	}
	return el, nil
}

// decryptAssertion opens an EncryptedAssertion after checking that only
// allowed algorithms are used, and parses the plaintext as strictly as the
// outer message.
func (sp *SP) decryptAssertion(enc *etree.Element) (el *etree.Element, err error) {
	if sp.decryptor == nil {
		return nil, fmt.Errorf("%w: no decryption key configured", ErrDecrypt)
	}
	data, err := only(enc, nsXEnc, "EncryptedData")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	if err := checkEncryptionMethods(enc); err != nil {
		return nil, err
	}
	// xmlenc v0.5.1 slices ciphertexts without checking their length; a
	// malformed one must be a refusal, not a crash.
	defer func() {
		if recover() != nil {
			el, err = nil, fmt.Errorf("%w: malformed ciphertext", ErrDecrypt)
		}
	}()
	var key any = sp.decryptor
	switch keys := children(enc, nsXEnc, "EncryptedKey"); len(keys) {
	case 0: // the key is inside EncryptedData/KeyInfo; xmlenc finds it there
	case 1:
		if key, err = xmlenc.Decrypt(sp.decryptor, keys[0]); err != nil {
			return nil, fmt.Errorf("%w: key", ErrDecrypt)
		}
	default:
		return nil, fmt.Errorf("%w: more than one EncryptedKey", ErrDecrypt)
	}
	plain, err := xmlenc.Decrypt(key, data)
	if err != nil {
		return nil, fmt.Errorf("%w: content", ErrDecrypt)
	}
	root, err := parseXML(plain)
	if err != nil {
		return nil, err
	}
	if root.Tag != "Assertion" || root.NamespaceURI() != nsAssertion {
		return nil, fmt.Errorf("%w: encrypted content is not an assertion", ErrMalformed)
	}
	if err := checkTree(root); err != nil {
		return nil, err
	}
	return root, nil
}

// checkEncryptionMethods refuses key transports and ciphers outside the
// allow-lists wherever they appear in the encrypted assertion.
func checkEncryptionMethods(enc *etree.Element) error {
	var check func(el *etree.Element) error
	check = func(el *etree.Element) error {
		for _, c := range el.ChildElements() {
			if c.Tag == "EncryptionMethod" && c.NamespaceURI() == nsXEnc {
				a := algorithm(c)
				switch parent := el.Tag; {
				case parent == "EncryptedKey" && !keyTransports[a]:
					return fmt.Errorf("%w: key transport %s", ErrWeakAlgorithm, a)
				case parent == "EncryptedData" && !contentCiphers[a]:
					return fmt.Errorf("%w: content encryption %s", ErrWeakAlgorithm, a)
				}
			}
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	return check(enc)
}
