// Package cases is the standard case model: the five summary fields every
// view shows in the same order, the detail fields, the four standard statuses,
// and the Source seam through which cases reach the kit.
//
// Nothing in this package keeps a case beyond the request that compiled it.
package cases

import (
	"time"
)

// Status is one of the four standard statuses. Producers translate their own
// statuses to these; the view never guesses.
type Status string

const (
	Received       Status = "received"        // Ankommen handling
	InProgress     Status = "in_progress"     // Handläggning pågår
	ActionRequired Status = "action_required" // Åtgärd krävs
	Closed         Status = "closed"          // Ärendet avslutat
)

// Statuses lists the standard statuses in their standard order.
var Statuses = []Status{Received, InProgress, ActionRequired, Closed}

// Valid reports whether s is one of the four standard statuses.
func (s Status) Valid() bool { return s.Rank() >= 0 }

// Rank is the status's position in the standard order, or -1.
func (s Status) Rank() int {
	for i, v := range Statuses {
		if v == s {
			return i
		}
	}
	return -1
}

// Unit is the unit of a processing-time forecast.
type Unit string

const (
	Days   Unit = "days"
	Weeks  Unit = "weeks"
	Months Unit = "months"
)

// Forecast is the estimated time a case stays in its current status.
type Forecast struct {
	Amount int  `json:"amount"`
	Unit   Unit `json:"unit"`
}

// Payment is the state of a fee to pay or an amount to receive.
type Payment string

const (
	PaymentReceived Payment = "received" // the producer received the customer's payment
	PaymentPaidOut  Payment = "paid_out" // the producer paid the customer
	PaymentPending  Payment = "pending"  // a payment in either direction is outstanding
)

// Actor is an organisation responsible for cases (a producer).
type Actor struct {
	ID   string `json:"id"`   // stable, URL-safe: "skatteverket", "vaxholm"
	Name string `json:"name"` // as shown: "Skatteverket", "Vaxholms stad"
}

// Pair is a producer-defined (title, value) detail, plain text.
type Pair struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Event is one entry of a case's history: what happened, and when.
type Event struct {
	Time   time.Time `json:"time"`
	Title  string    `json:"title"`
	Text   string    `json:"text,omitempty"`
	Status Status    `json:"status,omitempty"`
}

// Case is one case in the standard model. Field order follows the standard:
// the five summary fields first, then the detail fields 6–12.
type Case struct {
	ID string `json:"id"` // unique within the overview; opaque to the user

	// Summary, always shown, in this order.
	Date     time.Time `json:"date"`               // 1 when the case got its current status
	Title    string    `json:"title"`              // 2
	Sender   Actor     `json:"sender"`             // 3 the responsible actor
	Status   Status    `json:"status"`             // 4
	Forecast *Forecast `json:"forecast,omitempty"` // 5 processing time in this status

	// Detail, shown on request; every empty field is hidden.
	CaseNumber string  `json:"caseNumber,omitempty"` // 6 diarienummer
	Category   string  `json:"category,omitempty"`   // 7
	Payment    Payment `json:"payment,omitempty"`    // 8
	Officer    string  `json:"officer,omitempty"`    // 9
	FreeText   string  `json:"freeText,omitempty"`   // 10
	// FreeTextShortened says FreeText is the start of a longer text
	// (Mina ärenden allows 65,535 characters, the view shows MaxText): the
	// page says so and points to the whole text at the producer.
	FreeTextShortened bool       `json:"freeTextShortened,omitempty"`
	PlannedEvent      string     `json:"plannedEvent,omitempty"` // 11
	PlannedTime       *time.Time `json:"plannedTime,omitempty"`  // 12
	Pairs             []Pair     `json:"pairs,omitempty"`
	// Tags are the life situations the source files the case under
	// (Mina ärenden's taggar: "Vi bygger hus"). Not shown as a field: a
	// tag that several cases share is offered as a case group.
	Tags []string `json:"tags,omitempty"`

	// Link is the case in the producer's e-service: https, checked by the kit.
	Link string `json:"link,omitempty"`

	// Lang is the language of the producer's texts (title, free text,
	// pairs, history) as a BCP 47 tag, when the source says (Mina
	// ärenden's "sprak"): the page marks them with it (WCAG 3.1.2). Empty:
	// the page's language.
	Lang string `json:"lang,omitempty"`

	Created time.Time `json:"created,omitzero"` // in the producer's system
	Updated time.Time `json:"updated,omitzero"`
	History []Event   `json:"history,omitempty"` // oldest first, when the source has one
}

// Open reports whether the case is not closed.
func (c Case) Open() bool { return c.Status != Closed }
