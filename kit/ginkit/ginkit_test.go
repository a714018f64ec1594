package ginkit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/session"
)

func TestGinPortalGetsTheKitAndItsLoginLayer(t *testing.T) {
	gin.SetMode(gin.TestMode)
	sessions, err := session.NewManager(session.Config{AllowPlainHTTP: true})
	require.NoError(t, err)
	k, err := kit.New(kit.Config{Sessions: sessions, Sources: []fanout.Member{{
		Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
			return cases.Result{Cases: []cases.Case{{ID: "x:1", Date: time.Now().Add(-time.Hour), Title: "Bygglov",
				Sender: cases.Actor{ID: "x", Name: "X"}, Status: cases.Received}}}, nil
		})}}})
	require.NoError(t, err)

	r := gin.New()
	Mount(r, k)
	var sawSubject bool
	page := r.Group("/", Protect(k))
	page.GET("/mina-arenden", func(c *gin.Context) {
		_, sawSubject = identity.FromContext(c.Request.Context())
		c.String(http.StatusOK, "page")
	})
	page.POST("/installningar", func(c *gin.Context) { c.String(http.StatusOK, "saved") })

	// The kit's API through gin: no login, so 401 without case data.
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/arendevy/api/overview", nil))
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.NotContains(t, w.Body.String(), "Bygglov")

	// A portal page behind the layer gets the security headers.
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/mina-arenden", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.False(t, sawSubject)
	require.NotEmpty(t, w.Header().Get("Content-Security-Policy"))

	// A state-changing request without a CSRF token never reaches the handler.
	w = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/installningar", strings.NewReader("sort=title"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ServeHTTP(w, req)
	require.Equal(t, http.StatusForbidden, w.Code)
	require.NotContains(t, w.Body.String(), "saved")
}
