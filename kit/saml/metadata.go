package saml

import (
	"encoding/xml"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
)

const (
	nsMetadata      = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsMDUI          = "urn:oasis:names:tc:SAML:metadata:ui"
	nsMDAttr        = "urn:oasis:names:tc:SAML:metadata:attribute"
	entityCategory  = "http://macedir.org/entity-category"
	attrNameFormURI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
)

// Metadata describes our SP as crewjam's type, for registering it with an
// IdP in code (the development IdP). The published XML (GET
// {Mount}/saml/metadata) adds the Swedish eID Framework extensions, which
// crewjam's type cannot hold.
func (sp *SP) Metadata() *crewjam.EntityDescriptor {
	ed := sp.base.Metadata()
	d := &ed.SPSSODescriptors[0]
	isDefault := true
	// Only the POST binding: crewjam also offers artifact resolution, which
	// this SP does not implement.
	d.AssertionConsumerServices = []crewjam.IndexedEndpoint{
		{Binding: crewjam.HTTPPostBinding, Location: sp.acsURL, Index: 0, IsDefault: &isDefault},
	}
	var keys []crewjam.KeyDescriptor
	for _, kd := range d.KeyDescriptors {
		switch {
		case kd.Use == "encryption" && sp.decryptor == nil:
			continue // the key cannot decrypt here (e.g. an HSM signer): do not invite encryption to it
		case kd.Use == "encryption":
			kd.EncryptionMethods = []crewjam.EncryptionMethod{
				{Algorithm: algAES128GCM}, {Algorithm: algAES256CBC}, {Algorithm: algAES192CBC},
				{Algorithm: algAES128CBC}, {Algorithm: algRSAOAEP},
			}
		}
		keys = append(keys, kd)
	}
	d.KeyDescriptors = keys
	return ed
}

// metadataXML is Metadata with mdui:UIInfo (DisplayName and Description
// per language) and the entity categories as mdattr:EntityAttributes.
func (sp *SP) metadataXML() ([]byte, error) {
	b, err := xml.Marshal(sp.Metadata())
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, err
	}
	root := doc.Root()

	ext := etree.NewElement("md:Extensions")
	ext.CreateAttr("xmlns:md", nsMetadata)
	ea := ext.CreateElement("mdattr:EntityAttributes")
	ea.CreateAttr("xmlns:mdattr", nsMDAttr)
	at := ea.CreateElement("saml:Attribute")
	at.CreateAttr("xmlns:saml", nsAssertion)
	at.CreateAttr("Name", entityCategory)
	at.CreateAttr("NameFormat", attrNameFormURI)
	for _, c := range sp.cfg.EntityCategories {
		at.CreateElement("saml:AttributeValue").SetText(c)
	}
	root.InsertChildAt(0, ext) // Extensions come before the role descriptors

	spsso := root.SelectElement("SPSSODescriptor")
	if spsso == nil {
		return nil, fmt.Errorf("saml: metadata without SPSSODescriptor")
	}
	ui := etree.NewElement("md:Extensions")
	ui.CreateAttr("xmlns:md", nsMetadata)
	info := ui.CreateElement("mdui:UIInfo")
	info.CreateAttr("xmlns:mdui", nsMDUI)
	for _, lang := range sortedKeys(sp.cfg.DisplayName) {
		dn := info.CreateElement("mdui:DisplayName")
		dn.CreateAttr("xml:lang", lang)
		dn.SetText(sp.cfg.DisplayName[lang])
	}
	for _, lang := range sortedKeys(sp.cfg.Description) {
		de := info.CreateElement("mdui:Description")
		de.CreateAttr("xml:lang", lang)
		de.SetText(sp.cfg.Description[lang])
	}
	spsso.InsertChildAt(0, ui) // the role's Extensions come first too

	doc.Indent(2)
	return doc.WriteToBytes()
}

func (sp *SP) serveMetadata(w http.ResponseWriter, r *http.Request) {
	b, err := sp.metadataXML()
	if err != nil {
		sp.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saml: metadata", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(b)
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
