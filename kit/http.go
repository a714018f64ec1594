package kit

import (
	"encoding/json"
	"net/http"

	"github.com/arendevy/arendevy/kit/listing"
)

// noStore marks a response that carries case data: no cache may keep it, and
// the back button after logout must not show it.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type          string                 `json:"type"`
	Title         string                 `json:"title"`
	Status        int                    `json:"status"`
	Detail        string                 `json:"detail,omitempty"`
	InvalidParams []listing.InvalidParam `json:"invalid-params,omitempty"`
	Login         string                 `json:"login,omitempty"` // where to log in, on a 401
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
