package kit

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/arendevy/arendevy/kit/internal/errorpage"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Case groups (preferences.Group) change through one route, POST
// {mount}/api/groups, a form post (application/x-www-form-urlencoded)
// that works without JavaScript: the server-rendered case detail, the
// portal's settings page and the element all send the same fields, and
// the CSRF check is the kit's guard's, as for every state-changing
// request. The fields:
//
//	action  create | rename | delete | add | remove
//	group   the group's id (rename, delete, add, remove)
//	name    the group's name (create, rename; add: a new group, which a name given wins over group)
//	ref     a case's reference (add, remove; create, repeatable, for a suggestion)
//	return  where a form post goes back to (a local path; default "/")
//	lang    the page's language, for a page that says what is wrong
//
// A request that accepts application/json (the element) gets the groups
// back, or a problem naming what is wrong; a form post gets 303 to its
// return, or a page that says what is wrong, with the way back.

// groupsResponse is the JSON answer: the groups, without their references.
type groupsResponse struct {
	Groups []groupName `json:"groups"`
	// Group is the group the request made or changed.
	Group string `json:"group,omitempty"`
}

type groupName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// groupErrors are the catalogue's words for each refusal, and the field
// each concerns.
var groupErrors = []struct {
	err          error
	field, words string
}{
	{preferences.ErrGroupName, "name", "groups.err.name"},
	{preferences.ErrGroupNameTaken, "name", "groups.err.taken"},
	{preferences.ErrTooManyGroups, "name", "groups.err.tooMany"},
	{preferences.ErrGroupFull, "group", "groups.err.full"},
	{preferences.ErrNoGroup, "group", "groups.err.noGroup"},
	{preferences.ErrCaseRef, "ref", "groups.err.ref"},
	{errGroupAction, "action", "groups.err.action"},
}

var errGroupAction = errors.New("unknown action")

func (k *Kit) serveGroups(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok {
		return
	}
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	r.Body = http.MaxBytesReader(w, r.Body, maxPreferencesBody)
	if err := r.ParseForm(); err != nil {
		writeProblem(w, k.newProblem(r, http.StatusBadRequest, "invalidGroups"))
		return
	}
	form := r.PostForm
	back := localpath.Or(form.Get("return"), "/")
	// The page's language, which a form says (the portal may choose it
	// otherwise than the browser's Accept-Language does).
	l := k.view.bundle.Localizer(form.Get("lang"), r.Header.Get("Accept-Language"))
	stored, err := k.cfg.Preferences.Get(r.Context(), subject.Customer())
	if err == nil {
		var changed string
		stored, changed, err = changeGroups(stored, form.Get("action"), form.Get("group"), form.Get("name"), form["ref"])
		if err == nil {
			if err = k.cfg.Preferences.Put(r.Context(), subject.Customer(), stored); err == nil {
				if !wantsJSON {
					w.Header().Set("Location", back)
					w.WriteHeader(http.StatusSeeOther)
					return
				}
				out := groupsResponse{Groups: []groupName{}, Group: changed}
				for _, g := range stored.Groups {
					out.Groups = append(out.Groups, groupName{ID: g.ID, Name: g.Name})
				}
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
	}
	for _, ge := range groupErrors {
		if !errors.Is(err, ge.err) {
			continue
		}
		if !wantsJSON {
			errorpage.Write(w, http.StatusBadRequest, errorpage.Page{Lang: l.Lang(), Dir: l.Dir(), Title: l.Text("groups.err.title"),
				Text: l.Text(ge.words), Link: back, LinkText: l.Text("groups.back")})
			return
		}
		p := k.newProblem(r, http.StatusBadRequest, "invalidGroups")
		p.InvalidParams = []listing.InvalidParam{{Name: ge.field, Reason: l.Text(ge.words)}}
		writeProblem(w, p)
		return
	}
	k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saving case groups failed", slog.String("error", err.Error()))
	if !wantsJSON {
		errorpage.Write(w, http.StatusServiceUnavailable, errorpage.Page{Lang: l.Lang(), Dir: l.Dir(), Title: l.Text("groups.err.title"),
			Text: l.Text("problem.settingsNotSaved.detail"), Link: back, LinkText: l.Text("groups.back")})
		return
	}
	writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "settingsNotSaved"))
}

// changeGroups is p after one of the route's actions, and the id of the
// group it made or changed.
func changeGroups(p preferences.Preferences, action, group, name string, refs []string) (preferences.Preferences, string, error) {
	var err error
	switch action {
	case "create":
		return p.CreateGroup(name, refs)
	case "rename":
		p, err = p.RenameGroup(group, name)
	case "delete":
		p, err = p.RemoveGroup(group)
	case "add":
		if len(refs) != 1 {
			return p, "", preferences.ErrCaseRef
		}
		if group == "" || strings.TrimSpace(name) != "" { // a new group, named in the same form
			return p.CreateGroup(name, refs)
		}
		p, err = p.AddToGroup(group, refs[0])
	case "remove":
		if len(refs) != 1 {
			return p, "", preferences.ErrCaseRef
		}
		p, err = p.RemoveFromGroup(group, refs[0])
	default:
		err = errGroupAction
	}
	return p, group, err
}
